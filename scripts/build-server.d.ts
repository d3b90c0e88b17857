// Types of scripts/build-server.js, a plain JavaScript file so that `npm start` builds without tsx.
export declare function bundleServer(entry: string, outfile: string): Promise<void>;
