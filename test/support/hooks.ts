// Mocha root hooks, loaded through .mocharc.js: stop the private test servers after the whole run.
import { stopTestServers } from "./servers";

export const mochaHooks: Mocha.RootHookObject = {
    async afterAll() {
        await stopTestServers();
    },
};
