#!/usr/bin/env node
/**
 * Process entry: parse the CLI, load config, start roles, drain on SIGTERM.
 * The only module that reads process.env (DESIGN §9).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config/index.js';
import { isCausewayError } from './core/index.js';
import { createLogger } from './observability/index.js';
import { checkSchemasDir } from './registry/index.js';
import { filterEval, routesCheck, routesTest, type CliResult } from './route/index.js';
import { TARGET_PLUGINS } from './targets/index.js';
import { start } from './app/index.js';

const USAGE = `usage: causeway <command> [options]

commands:
  serve                     start the gateway (config: causeway.yaml + CAUSEWAY_* env)
  schemas check [dir]       validate schemas and their compatibility modes (default: CAUSEWAY_SCHEMAS_DIR or ./schemas)
  routes check [dir]        validate routing rules and run their *.cases.yaml (default: CAUSEWAY_ROUTES_DIR or ./routes)
  routes test --event e.json [--route id] [--topic t] [dir]
                            which routes an event (structured JSON) matches, and why not
  filter eval (--sql EXPR | --pattern JSON) --event e.json
                            evaluate one filter against an event
  help                      this text
`;

function readConfig(): Config {
  const path = process.env.CAUSEWAY_CONFIG ?? './causeway.yaml';
  const explicit = process.env.CAUSEWAY_CONFIG !== undefined;
  if (explicit && !existsSync(path)) throw new Error(`CAUSEWAY_CONFIG names ${path}, which does not exist`);
  const text = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  return loadConfig(process.env, text, path);
}

async function serveCommand(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const running = await start(config, logger, { env: process.env });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting', { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function schemasCheck(dir: string | undefined): Promise<number> {
  const target = dir ?? process.env.CAUSEWAY_SCHEMAS_DIR ?? './schemas';
  const result = await checkSchemasDir(target);
  for (const p of result.problems) console.log(`${p.file}${p.pointer ? `#${p.pointer}` : ''}: ${p.message}`);
  console.log(result.ok ? `schemas ok: ${target}` : `${result.problems.length} problem(s) in ${target}`);
  return result.ok ? 0 : 1;
}

function print(r: CliResult): number {
  (r.exitCode === 2 ? process.stderr : process.stdout).write(r.output);
  return r.exitCode;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      event: { type: 'string' },
      route: { type: 'string' },
      topic: { type: 'string' },
      sql: { type: 'string' },
      pattern: { type: 'string' },
    },
  });
  const opt = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const [cmd, sub, arg] = positionals;
  switch (cmd) {
    case 'serve':
    case undefined:
      await serveCommand();
      return -1; // keep running
    case 'schemas':
      if (sub === 'check') return schemasCheck(arg);
      break;
    case 'routes': {
      const dir = arg ?? process.env.CAUSEWAY_ROUTES_DIR ?? './routes';
      const event = opt('event');
      if (sub === 'check') return print(await routesCheck(dir, { targets: TARGET_PLUGINS }));
      if (sub === 'test' && event !== undefined) {
        const topic = opt('topic');
        return print(await routesTest(dir, event, opt('route'), topic === undefined ? { targets: TARGET_PLUGINS } : { topic, targets: TARGET_PLUGINS }));
      }
      break;
    }
    case 'filter':
      if (sub === 'eval') return print(await filterEval({ sql: opt('sql'), pattern: opt('pattern'), eventFile: opt('event') }));
      break;
    case 'help':
      console.log(USAGE);
      return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isCausewayError(err)) {
      process.stderr.write(`causeway: ${err.code}: ${err.message}\n`);
      for (const e of err.errors) process.stderr.write(`  ${e.path}: ${e.message}\n`);
    } else {
      process.stderr.write(`causeway: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
