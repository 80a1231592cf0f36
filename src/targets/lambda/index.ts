/** The `lambda` (AWS Lambda Invoke) target plug-in. */
export { lambdaTarget, LambdaTarget } from './lambda-target.js';
export {
  LAMBDA_DEFAULTS,
  lambdaConfigSchema,
  type LambdaInvocation,
  type LambdaKafkaEnvelope,
  type LambdaKafkaEventSource,
  type LambdaPayload,
  type LambdaTargetConfig,
} from './lambda-config.js';
