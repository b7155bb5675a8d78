import { describe, expect, it } from 'vitest';
import { parseRegistryErrors, registryErrorText } from './errors';

describe('registry error documents', () => {
  it('reads the OCI error document and says it as dockerd does', () => {
    const body = '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:ab"}]}';
    const details = parseRegistryErrors(body);
    expect(details).toEqual([{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }]);
    expect(registryErrorText(details[0] as { code: string; message: string })).toBe('blob unknown: blob unknown to registry');
  });

  it('finds nothing in a body that is not one', () => {
    expect(parseRegistryErrors('<html>502 Bad Gateway</html>')).toEqual([]);
    expect(parseRegistryErrors('{"message":"x"}')).toEqual([]);
  });
});
