// Public surface of @keelson/cluster: the launcher.
export { main, buildProgram } from './main';
export { version } from './version';
export { runServer, type ServerOptions } from './server';
export { runAgent, joinCluster, JoinError, type AgentOptions } from './agent';
export * from './pki';
