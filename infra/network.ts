// Where the stack lives and who may talk to whom. The whole traffic matrix is here, in one place:
// internet → ALB → app tier → cache and database, the pre-warm function → cache and database,
// and nothing else reaches the data tier.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WarmstackConfig } from "./config";

export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;
const LISTENER_PORT = 80;
const ANYWHERE = ["0.0.0.0/0"];

export interface WarmNetworkArgs {
    network: WarmstackConfig["network"];
    appPort: number;
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
    readonly listenerPort = LISTENER_PORT;

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

        const group = (
            tier: string,
            description: string,
            ingress: aws.types.input.ec2.SecurityGroupIngress[],
            egress: aws.types.input.ec2.SecurityGroupEgress[],
        ) =>
            new aws.ec2.SecurityGroup(
                `${name}-${tier}`,
                {
                    vpcId: this.vpcId,
                    description,
                    ingress,
                    egress,
                    tags: { "warmstack:tier": tier },
                },
                parent,
            );

        const alb = group(
            "alb",
            "warmstack load balancer: HTTP from anywhere",
            [{ protocol: "tcp", fromPort: LISTENER_PORT, toPort: LISTENER_PORT, cidrBlocks: ANYWHERE }],
            [{ protocol: "tcp", fromPort: args.appPort, toPort: args.appPort, cidrBlocks: ANYWHERE }],
        );
        const app = group(
            "app",
            "warmstack app tier: the app port from the load balancer only",
            [{ protocol: "tcp", fromPort: args.appPort, toPort: args.appPort, securityGroups: [alb.id] }],
            // The app reaches the data tier, its dependencies and the Auto Scaling API.
            [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ANYWHERE }],
        );
        // The pre-warm function talks to Redis and PostgreSQL only; its secrets come in the invoke payload.
        const warmer = group(
            "warmer",
            "warmstack cache pre-warm function: out to Redis and PostgreSQL only",
            [],
            [REDIS_PORT, POSTGRES_PORT].map((port) => ({
                protocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrBlocks: ANYWHERE,
            })),
        );
        const clients = [app.id, warmer.id];
        const cache = group(
            "cache",
            "warmstack cache: Redis from the app tier and the pre-warm only",
            [{ protocol: "tcp", fromPort: REDIS_PORT, toPort: REDIS_PORT, securityGroups: clients }],
            [],
        );
        const database = group(
            "database",
            "warmstack database: PostgreSQL from the app tier and the pre-warm only",
            [{ protocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, securityGroups: clients }],
            [],
        );

        this.albSecurityGroupId = alb.id;
        this.appSecurityGroupId = app.id;
        this.warmerSecurityGroupId = warmer.id;
        this.cacheSecurityGroupId = cache.id;
        this.databaseSecurityGroupId = database.id;
        this.registerOutputs({ vpcId: this.vpcId });
    }
}
