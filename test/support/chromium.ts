/**
 * The browser test (test/browser/) drives Debian's Chromium. Like the database, the test set-up provisions it:
 * when /usr/bin/chromium is absent and this is a Debian machine where we are root, it installs the `chromium`
 * package with apt-get (one line says so). Elsewhere it leaves the machine alone and the browser test names
 * the missing package when it starts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function ensureChromium(say: (line: string) => void): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    say(`no Chromium at ${CHROMIUM_PATH}; the browser test will fail until Debian's \`chromium\` package is installed`);
    return;
  }
  say(`installing Debian's chromium package for the browser test (apt-get, once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env, timeout: 600_000 });
  } catch (error) {
    say(`apt-get could not install chromium (${(error as Error).message.split('\n')[0]})`);
  }
}
