import { describe, expect, it } from 'vitest';
import { ComposeOutput } from './compose-output';

// Captured from Debian's docker-compose 1.29.2 (stdout and stderr, not a TTY) against berthd.
const BUILD_AND_CREATE = `Building web
DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
Sending build context to Docker daemon  2.048kB
Step 1/2 : FROM 127.0.0.1:43287/busybox:latest
latest: Pulling from busybox
7b02d33a7352: Pull complete
Step 2/2 : RUN echo hi
 ---> Running in 148e322bd955
hi
Successfully built c826203098d5
Successfully tagged cap_web:latest
Image for service web was built because it did not already exist. To rebuild this image you must use \`docker-compose build\` or \`docker-compose up --build\`.
Creating cap_db_1 ... 
Creating cap_web_1 ... 
Creating cap_db_1  ... done
Creating cap_web_1 ... done`;

const START_FAILS = `Pulling db (127.0.0.1:44707/busybox:latest)...
Creating img_db_1 ... 
Creating img_bad_1 ... 
Creating img_bad_1 ... error

ERROR: for img_bad_1  Cannot start service bad: exec: "/nonexistent": stat /nonexistent: No such file or directory: unknown
Creating img_db_1  ... done

ERROR: for bad  Cannot start service bad: exec: "/nonexistent": stat /nonexistent: No such file or directory: unknown
Encountered errors while bringing up the project.`;

const feed = (out: ComposeOutput, text: string): boolean[] => text.split('\n').map((l) => out.line(l));

describe('compose output (docker-compose 1.29)', () => {
  it('follows build, create and done per service', () => {
    const out = new ComposeOutput('cap', ['web', 'db']);
    expect(out.services().map((s) => s.state)).toEqual(['waiting', 'waiting']);
    const lines = BUILD_AND_CREATE.split('\n');
    out.line(lines[0] ?? '');
    expect(out.services().find((s) => s.service === 'web')?.state).toBe('building');
    // Build output (including its own "Pulling from") changes nothing.
    expect(lines.slice(1, 12).map((l) => out.line(l))).toEqual(Array(11).fill(false));
    out.line(lines[12] ?? '');
    expect(out.services().find((s) => s.service === 'db')).toEqual({ service: 'db', state: 'creating', container: 'cap_db_1' });
    feed(out, lines.slice(13).join('\n'));
    expect(out.services()).toEqual([
      { service: 'web', state: 'started', container: 'cap_web_1' },
      { service: 'db', state: 'started', container: 'cap_db_1' },
    ]);
  });

  it('marks the failing service with the client message and keeps the other started', () => {
    const out = new ComposeOutput('img', ['db', 'bad']);
    const lines = START_FAILS.split('\n');
    out.line(lines[0] ?? '');
    expect(out.services()[0]?.state).toBe('pulling');
    feed(out, lines.slice(1).join('\n'));
    const [db, bad] = out.services();
    expect(db).toEqual({ service: 'db', state: 'started', container: 'img_db_1' });
    expect(bad?.state).toBe('error');
    expect(bad?.message).toMatch(/^Cannot start service bad: exec: "\/nonexistent"/);
    out.fail();
    expect(out.failure()).toMatch(/^bad: Cannot start service bad/);
  });

  it('a bare pull error fails the pulling service with that line', () => {
    const out = new ComposeOutput('bad', ['x']);
    feed(out, 'Pulling x (127.0.0.1:43287/nothere:latest)...\nmanifest for 127.0.0.1:43287/nothere:latest not found: manifest unknown: manifest unknown\n');
    expect(out.services()[0]?.state).toBe('pulling');
    out.fail();
    expect(out.services()[0]).toEqual({ service: 'x', state: 'error', message: 'manifest for 127.0.0.1:43287/nothere:latest not found: manifest unknown: manifest unknown' });
  });

  it('up-to-date, restarted and recreated containers count as started; an ERROR line is the failure', () => {
    const out = new ComposeOutput('img', ['db', 'other', 'idle']);
    feed(out, 'Removing orphan container "img_bad_1"\nStarting img_db_1 ... \nStarting img_db_1 ... done\nimg_other_1 is up-to-date\nCreating network "img_default" with the default driver');
    expect(out.services().map((s) => [s.service, s.state])).toEqual([
      ['db', 'started'],
      ['other', 'started'],
      ['idle', 'waiting'],
    ]);
    feed(out, "Recreating img_db_1 ... \n\nERROR: for img_db_1  'ContainerConfig'\nERROR: Couldn't connect to Docker daemon");
    expect(out.services()[0]).toEqual({ service: 'db', state: 'error', container: 'img_db_1', message: "'ContainerConfig'" });
    expect(out.failure()).toBe("Couldn't connect to Docker daemon");
  });

  it('strips colours and maps a custom container_name to itself', () => {
    const out = new ComposeOutput('p', ['web']);
    out.line('\x1b[32mCreating my-web ... done\x1b[0m');
    expect(out.services().map((s) => s.service)).toEqual(['web', 'my-web']);
  });
});

describe('compose output (compose v2, --progress plain)', () => {
  // The plain progress format as docker compose 2.x prints it (v2 is not installed here).
  it('maps Container/pull lines to services', () => {
    const out = new ComposeOutput('p', ['web', 'db']);
    feed(out, ' db Pulling\n db Pulled\n Network p_default  Creating\n Container p-db-1  Creating\n Container p-web-1  Created\n Container p-db-1  Starting\n Container p-db-1  Started');
    expect(out.services()).toEqual([
      { service: 'web', state: 'creating', container: 'p-web-1' },
      { service: 'db', state: 'started', container: 'p-db-1' },
    ]);
    feed(out, ' Container p-web-1  Error\nError response from daemon: no such image');
    out.fail();
    expect(out.services()[0]?.state).toBe('error');
    expect(out.failure()).toBe('no such image');
  });
});
