// The kubelet's structured logger (winston, JSON lines on stderr).
import winston from 'winston';
import type { LogLevel } from './options';

export function createLogger(level: LogLevel, component = 'kubelet'): winston.Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
