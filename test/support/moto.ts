/**
 * The moto server that test/setup/global-moto.ts made available (MOTO_ENDPOINT or scripts/moto.sh).
 * The bus + rule + SQS queue helper is in moto-bus.ts (free of Vitest, so bench/ uses it too).
 */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://host:port of the moto server. */
    motoEndpoint: string;
  }
}

export function motoEndpoint(): string {
  const url = inject('motoEndpoint');
  if (!url) throw new Error('no moto server was provided: is test/setup/global-moto.ts in vitest.config.ts globalSetup?');
  return url;
}

export { MOTO_REGION, MotoBus, type BusEvent } from './moto-bus.js';
