// Public surface of @keelson/kubectl: the keelctl command line.
export { main, buildProgram } from './main';
