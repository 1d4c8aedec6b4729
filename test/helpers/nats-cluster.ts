/** The tests' NATS cluster is the one `simulate` starts for cluster scenarios. */
export { natsSkip, startNatsCluster, type NatsCluster, type NatsServerHandle } from '../../src/simulate/nats-cluster.js';
