// The process entry of `warmstack`: bin/warmstack runs it through ts-node, the benchmark as one bundled script.
import { main } from ".";

main(process.argv).then((code) => process.exit(code));
