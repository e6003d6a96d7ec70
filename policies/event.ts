// The event a stack is ready for: its start, from the policy config or the tags the program publishes.
// ramp-before-event and prewarm-before-event judge a schedule only while one can still be in time: a deploy
// past that instant (an emergency fix at the peak) gets its capacity and its warm at once — as the plan deploys it.
import { PolicyResource } from "@pulumi/policy";
import { groupsOf } from "./attached";
import { TAGS } from "./shared/contract";
import { isoSeconds } from "./shared/numbers";
import { isRecord, Props, tagsOf } from "./props";

export interface EventStart {
    /** The start as written, for messages. */
    text: string;
    /** The start in ms; NaN when the text is not a date-time. */
    ms: number;
    /** The event's name, when a tag gives it. */
    name?: string;
}

/** The start of the event `tags` (and the policy config's eventStart, which wins) describe; undefined: no event. */
export function eventStartOf(configured: string | undefined, tags: Map<string, string>): EventStart | undefined {
    const text = configured ?? tags.get(TAGS.eventStart);
    if (text === undefined) return undefined;
    return { text, ms: Date.parse(text), name: tags.get(TAGS.event) };
}

/** A resource's `tags` map (ElastiCache, RDS, Scheduler); an Auto Scaling group's list is read by tagsOf. */
export function tagMapOf(props: Props): Map<string, string> {
    const tags = props.tags;
    return new Map(
        isRecord(tags)
            ? Object.entries(tags).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : []))
            : [],
    );
}

/** The event tags of the stack's Auto Scaling groups: the fallback for a resource that carries none itself. */
export function stackEventTags(resources: PolicyResource[]): Map<string, string> {
    for (const group of groupsOf(resources)) {
        const tags = tagsOf(group.props);
        if (tags.has(TAGS.eventStart)) return tags;
    }
    return new Map();
}

/** "the event blackfriday at 2027-11-26T05:00:00Z". */
export const eventText = (event: EventStart) =>
    `the event${event.name ? ` ${event.name}` : ""} at ${Number.isNaN(event.ms) ? event.text : isoSeconds(event.ms)}`;

/** "the event start "…" is not a date-time" message for a start that does not parse. */
export const badStart = (owner: string, event: EventStart) =>
    `${owner}: the event start "${event.text}" is not a date-time; write it like 2027-11-26T05:00:00Z.`;
