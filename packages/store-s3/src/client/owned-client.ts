import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

export interface ClientChoice {
  client: S3Client;
  owned: boolean;
}

/** The injected client (not owned) or one created from `clientConfig` + the top-level options (owned). */
export function chooseClient(
  injected: S3Client | undefined,
  clientConfig: S3ClientConfig | undefined,
  top: { region?: string | undefined; endpoint?: string | undefined; forcePathStyle?: boolean | undefined },
): ClientChoice {
  if (injected !== undefined) return { client: injected, owned: false };
  const config: S3ClientConfig = { ...clientConfig };
  if (top.region !== undefined) config.region = top.region;
  if (top.endpoint !== undefined) config.endpoint = top.endpoint;
  if (top.forcePathStyle !== undefined) config.forcePathStyle = top.forcePathStyle;
  return { client: new S3Client(config), owned: true };
}
