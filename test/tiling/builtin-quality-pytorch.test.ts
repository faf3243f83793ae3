import { builtinQualitySuite } from './builtin-quality.js';

builtinQualitySuite('pytorch-examples', 5);
