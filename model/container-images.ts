// Which of the tasks' images live in a private ECR registry, and where: the plan names those repositories in the
// instance role (and nothing else of ECR but the token), and the agent logs in to their registries before it
// pulls. Pure, so the stack and the agent read an image the same way.

/** An image in a private ECR registry: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`. */
export interface EcrImage {
    image: string;
    /** `<account>.dkr.ecr.<region>.amazonaws.com`: what `docker login` is given. */
    registry: string;
    account: string;
    region: string;
    repository: string;
}

// ECR's own host names, the commercial and the China partitions' (amazonaws.com.cn); FIPS hosts add `-fips`.
const ECR_IMAGE =
    /^((\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?)\/([^:@]+)(?::[^@]+)?(?:@.+)?$/;

/** The ECR registry and repository of `image`, or undefined for an image anywhere else (Docker Hub, ECR Public, …). */
export function ecrImageOf(image: string): EcrImage | undefined {
    const match = ECR_IMAGE.exec(image);
    if (!match) return undefined;
    const [, registry, account, region, repository] = match;
    return { image, registry, account, region, repository };
}

/** The ARN partition of an ECR region: China's regions start with `cn-`, GovCloud's with `us-gov-`. */
export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The repository's ARN, as the instance role's statement names it. */
export function repositoryArn(ecr: EcrImage): string {
    return `arn:${partitionOf(ecr.region)}:ecr:${ecr.region}:${ecr.account}:repository/${ecr.repository}`;
}
