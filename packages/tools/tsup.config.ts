import { packageBuild } from '../../tsup.shared';

export default packageBuild({"index":"src/index.ts","guards/index":"src/guards/index.ts","procedural/index":"src/procedural/index.ts","execution/index":"src/execution/index.ts","formats/index":"src/formats/index.ts","processor/index":"src/processor/index.ts","samples/index":"src/samples/index.ts"});
