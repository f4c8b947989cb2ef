// Public surface of @keelson/cluster: the launcher.
export { main, buildProgram } from './main';
export { version } from './version';
export { runServer, adminKubeconfig, type ServerOptions } from './server';
