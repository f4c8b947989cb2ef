// The proxy's structured logger (winston, JSON lines on stderr).
import winston from 'winston';

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export function createLogger(level: LogLevel, silent = false): Logger {
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { component: 'proxy' },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
