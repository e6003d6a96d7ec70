// Where the stack lives and who may talk to whom. The whole traffic matrix is here, in one place, egress named
// as narrowly as ingress:
//   internet → ALB (80, and 443 with a certificate) → app tier (app port)
//   app tier → cache (6379), database (5432), and HTTPS out (443) for the AWS APIs its agent calls
//   warmer function → cache, database, and the Secrets Manager endpoint (443), nothing else
// and nothing else reaches the data tier. Every rule is its own resource: the groups refer to each other both
// ways (the ALB's egress to the app tier, the app tier's ingress from the ALB), which inline rules cannot.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WarmstackConfig } from "../model/config";

export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
const ANYWHERE = "0.0.0.0/0";

export interface WarmNetworkArgs {
    network: WarmstackConfig["network"];
    appPort: number;
    /** The load balancer also listens on HTTPS 443 (and redirects 80 there). */
    https: boolean;
}

/** One rule: a port, and either a CIDR or a security group on the other side. */
interface Rule {
    port: number;
    peer: { cidr: string } | { group: aws.ec2.SecurityGroup };
    description: string;
}

export class WarmNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly albSecurityGroupId: pulumi.Output<string>;
    readonly appSecurityGroupId: pulumi.Output<string>;
    readonly warmerSecurityGroupId: pulumi.Output<string>;
    readonly cacheSecurityGroupId: pulumi.Output<string>;
    readonly databaseSecurityGroupId: pulumi.Output<string>;
    /** The rules, for whoever must wait until traffic may flow (the deploy-time warm). */
    readonly rules: pulumi.Resource[] = [];

    constructor(name: string, args: WarmNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:network:WarmNetwork", name, {}, opts);
        const parent = { parent: this };

        if (args.network) {
            this.vpcId = pulumi.output(args.network.vpcId);
            this.publicSubnetIds = pulumi.output(args.network.publicSubnetIds);
            this.privateSubnetIds = pulumi.output(args.network.privateSubnetIds);
        } else {
            // No network given: the account's default VPC, whose subnets are all public. Fine for a trial,
            // not for an event: set warmstack:network to put the app and data tiers in private subnets.
            const vpc = aws.ec2.getVpcOutput({ default: true }, parent);
            const subnets = aws.ec2.getSubnetsOutput(
                {
                    filters: [
                        { name: "vpc-id", values: [vpc.id] },
                        { name: "default-for-az", values: ["true"] },
                    ],
                },
                parent,
            );
            this.vpcId = vpc.id;
            this.publicSubnetIds = subnets.ids;
            this.privateSubnetIds = subnets.ids;
        }

        const group = (tier: string, description: string) =>
            new aws.ec2.SecurityGroup(
                `${name}-${tier}`,
                { vpcId: this.vpcId, description, tags: { "warmstack:tier": tier } },
                parent,
            );
        const alb = group("alb", "warmstack load balancer: HTTP(S) from anywhere, out to the app tier only");
        const app = group("app", "warmstack app tier: the app port from the load balancer only");
        const warmer = group(
            "warmer",
            "warmstack pre-warm function: out to Redis, PostgreSQL and Secrets Manager only",
        );
        const endpoints = group("endpoints", "warmstack Secrets Manager endpoint: HTTPS from the app and the warmer");
        const cache = group("cache", "warmstack cache: Redis from the app tier and the pre-warm only");
        const database = group("database", "warmstack database: PostgreSQL from the app tier and the pre-warm only");

        const listen = args.https ? [HTTP_PORT, HTTPS_PORT] : [HTTP_PORT];
        const rules = (tier: string, sg: aws.ec2.SecurityGroup, ingress: Rule[], egress: Rule[]) => {
            for (const [direction, list] of [
                ["in", ingress],
                ["out", egress],
            ] as const) {
                list.forEach((rule, i) => {
                    const ruleArgs = {
                        securityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: rule.port,
                        toPort: rule.port,
                        description: rule.description,
                        ...("cidr" in rule.peer
                            ? { cidrIpv4: rule.peer.cidr }
                            : { referencedSecurityGroupId: rule.peer.group.id }),
                    };
                    this.rules.push(
                        direction === "in"
                            ? new aws.vpc.SecurityGroupIngressRule(`${name}-${tier}-in-${i}`, ruleArgs, parent)
                            : new aws.vpc.SecurityGroupEgressRule(`${name}-${tier}-out-${i}`, ruleArgs, parent),
                    );
                });
            }
        };
        rules(
            "alb",
            alb,
            listen.map((port) => ({ port, peer: { cidr: ANYWHERE }, description: "clients" })),
            [{ port: args.appPort, peer: { group: app }, description: "the app tier" }],
        );
        rules(
            "app",
            app,
            [{ port: args.appPort, peer: { group: alb }, description: "the load balancer" }],
            [
                { port: REDIS_PORT, peer: { group: cache }, description: "the cache" },
                { port: POSTGRES_PORT, peer: { group: database }, description: "the database" },
                // The agent calls Auto Scaling, Secrets Manager and S3 and fetches the RDS CA bundle: AWS's public
                // endpoints have no fixed addresses, so HTTPS is open; nothing else leaves the tier.
                { port: HTTPS_PORT, peer: { cidr: ANYWHERE }, description: "AWS APIs over HTTPS" },
            ],
        );
        rules(
            "warmer",
            warmer,
            [],
            [
                { port: REDIS_PORT, peer: { group: cache }, description: "the cache" },
                { port: POSTGRES_PORT, peer: { group: database }, description: "the database" },
                { port: HTTPS_PORT, peer: { group: endpoints }, description: "Secrets Manager (scheduled warm)" },
            ],
        );
        rules(
            "endpoints",
            endpoints,
            [
                { port: HTTPS_PORT, peer: { group: app }, description: "the agent" },
                { port: HTTPS_PORT, peer: { group: warmer }, description: "the warmer function" },
            ],
            [],
        );
        for (const [tier, sg, port] of [
            ["cache", cache, REDIS_PORT],
            ["database", database, POSTGRES_PORT],
        ] as const) {
            rules(
                tier,
                sg,
                [
                    { port, peer: { group: app }, description: "the app tier" },
                    { port, peer: { group: warmer }, description: "the pre-warm" },
                ],
                [],
            );
        }

        // The warmer function has no route out of the VPC: it reads its secrets and publishes its report's metrics
        // through these endpoints. With private DNS on, the instances' calls use them too (a VPC may hold only one
        // such endpoint per service).
        const region = aws.getRegionOutput({}, parent);
        for (const service of ["secretsmanager", "monitoring"]) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service}`,
                {
                    vpcId: this.vpcId,
                    serviceName: pulumi.interpolate`com.amazonaws.${region.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [endpoints.id],
                },
                parent,
            );
        }

        this.albSecurityGroupId = alb.id;
        this.appSecurityGroupId = app.id;
        this.warmerSecurityGroupId = warmer.id;
        this.cacheSecurityGroupId = cache.id;
        this.databaseSecurityGroupId = database.id;
        this.registerOutputs({ vpcId: this.vpcId });
    }
}
