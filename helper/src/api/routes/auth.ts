import { AuthConfigRequestSchema, type AuthResponse } from '../../../../src-shared/docker-api/auth';
import type { LoginService } from '../../engine/auth/login-service';
import { credentialsFromAuthConfig } from '../../registry/auth';
import { readJson, sendJson } from '../http';
import type { Route } from '../router';

/** `POST /auth`: docker login. The daemon only checks the credentials; the CLI stores them. */
export function authRoutes(login: Pick<LoginService, 'login'>): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async ({ req, res }) => {
        const body = await readJson(req, AuthConfigRequestSchema);
        const result = await login.login({ serverAddress: body.serveraddress, credentials: credentialsFromAuthConfig(body) ?? {} });
        const reply: AuthResponse = { Status: 'Login Succeeded', IdentityToken: result.identityToken };
        sendJson(res, 200, reply);
      },
    },
  ];
}
