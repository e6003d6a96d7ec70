// The process entry of `warmstack`: `npm run build` compiles it into dist/cli, which bin/warmstack runs.
import { main } from ".";

main(process.argv).then((code) => process.exit(code));
