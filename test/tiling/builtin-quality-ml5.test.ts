import { builtinQualitySuite } from './builtin-quality.js';

builtinQualitySuite('ml5', 9);
