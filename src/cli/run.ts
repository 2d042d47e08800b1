/** Entry point of bin/sheriff. */
import { main } from './main.js';

// `sheriff … | head` closes the pipe early: what is left is not wanted, and no error to report.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });

process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr });
