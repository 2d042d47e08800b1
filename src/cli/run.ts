/** Entry point of bin/sheriff. */
import { main } from './main.js';

process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr });
