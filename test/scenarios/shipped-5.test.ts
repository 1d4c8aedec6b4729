import { shippedShard } from './shipped.js';

shippedShard(4);
