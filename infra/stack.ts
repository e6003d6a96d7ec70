// The event stack: config → plan → components. Everything that decides a number is in plan.ts;
// this file only wires the parts together in dependency order.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, namespaceValues, parseConfig, WarmstackConfig } from "./config";
import { WarmCache } from "./cache";
import { WarmCompute } from "./compute";
import { MASTER_USERNAME, WarmDatabase } from "./database";
import { WarmNetwork } from "./network";
import { plan, ReadinessPlan } from "./plan";

/** Reads, validates and plans before any resource exists, so bad input fails the preview with one message. */
export function readinessFromPulumiConfig(): { config: WarmstackConfig; plan: ReadinessPlan } {
    try {
        const config = parseConfig(namespaceValues(pulumi.runtime.allConfig()));
        return { config, plan: plan(config) };
    } catch (err) {
        // RunError prints just the message: the user needs the list of keys, not our stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

export function warmstack(config: WarmstackConfig, readiness: ReadinessPlan) {
    const network = new WarmNetwork("net", { network: config.network, appPort: config.compute.appPort });
    const database = new WarmDatabase("db", {
        config: config.database,
        plan: readiness.database,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.databaseSecurityGroupId,
    });
    const cache = new WarmCache("cache", {
        config: config.cache,
        plan: readiness.cache,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.cacheSecurityGroupId,
        database,
        warmerSecurityGroupId: network.warmerSecurityGroupId,
    });
    const compute = new WarmCompute("app", {
        config: config.compute,
        plan: readiness,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        albSecurityGroupId: network.albSecurityGroupId,
        appSecurityGroupId: network.appSecurityGroupId,
        listenerPort: network.listenerPort,
        dataTier: pulumi
            .all([
                database.writerEndpoint,
                database.readerEndpoints,
                database.masterSecretArn,
                cache.primaryEndpoint,
                cache.authTokenSecretArn,
            ])
            .apply(([databaseWriter, databaseReaders, databaseSecretArn, cacheHost, cacheTokenSecretArn]) => ({
                databaseWriter,
                databaseReaders,
                databaseSecretArn,
                cacheHost,
                cacheTokenSecretArn,
                databasePort: database.port,
                databaseName: database.databaseName,
                databaseUser: MASTER_USERNAME,
                cachePort: cache.port,
            })),
    });

    return {
        plan: readiness,
        url: pulumi.interpolate`http://${compute.loadBalancerDns}`,
        autoScalingGroup: compute.group.name,
        databaseWriter: database.writerEndpoint,
        databaseReaders: database.readerEndpoints,
        databaseMasterSecretArn: database.masterSecretArn,
        cachePrimary: cache.primaryEndpoint,
        cacheReader: cache.readerEndpoint,
        prewarm: {
            rowsRead: cache.prewarm.rowsRead,
            keysWritten: cache.prewarm.keysWritten,
            skippedPresent: cache.prewarm.skippedPresent,
            skippedNull: cache.prewarm.skippedNull,
            skippedTooLarge: cache.prewarm.skippedTooLarge,
            errors: cache.prewarm.errors,
            warmth: cache.prewarm.warmth,
            durationMs: cache.prewarm.durationMs,
            keysPerSecond: cache.prewarm.keysPerSecond,
            lastWarmedAt: cache.prewarm.lastWarmedAt,
        },
    };
}

/** The whole program as `pulumi up` runs it: the stack's config, validated and planned, then deployed. */
export function warmstackFromPulumiConfig() {
    const { config, plan } = readinessFromPulumiConfig();
    return warmstack(config, plan);
}
