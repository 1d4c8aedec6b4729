/** The tests' cuttable proxy is the one `simulate` puts between a node and NATS for `isolate-node`. */
export { startTcpProxy, type TcpProxy } from '../../src/simulate/tcp-proxy.js';
