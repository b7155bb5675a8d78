/** Engine API wire types of `POST /auth` (docker login). */
import * as z from 'zod';

/** Docker's AuthConfig as `docker login` posts it (lower-case keys; unknown keys are tolerated, as moby's decoder does). */
export const AuthConfigRequestSchema = z
  .object({
    username: z.string().optional(),
    password: z.string().optional(),
    /** base64("user:password"), an alternative to username/password. */
    auth: z.string().optional(),
    email: z.string().optional(),
    serveraddress: z.string().optional(),
    identitytoken: z.string().optional(),
    registrytoken: z.string().optional(),
  })
  .loose();
export type AuthConfigRequest = z.infer<typeof AuthConfigRequestSchema>;

export interface AuthResponse {
  Status: 'Login Succeeded';
  /** An OAuth2 refresh token the CLI stores instead of the password; "" when the registry issued none. */
  IdentityToken: string;
}
