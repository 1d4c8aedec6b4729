/**
 * Standard output for commands that print a lot: waits for 'drain' when the reader is slower, and
 * a reader that went away (`| head -1`, EPIPE) ends the output instead of the process.
 */
export interface Output {
  write(text: string): Promise<void> | undefined;
  /** the reader is gone: stop producing */
  readonly gone: boolean;
  /** stop listening for errors on the stream */
  close(): void;
}

/**
 * The reader of a pipe went away (`| head -1`, a closed socket): the output has nobody to reach,
 * which is the reader's choice, not a failure of the command.
 */
export function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ECONNRESET';
}

export function stdoutWriter(out: NodeJS.WritableStream = process.stdout): Output {
  let gone = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (isClosedPipe(error)) gone = true;
    else throw error;
  };
  out.on('error', onError);
  return {
    write: (text) =>
      gone || out.write(text)
        ? undefined
        : new Promise<void>((resolve) => {
            out.once('drain', () => resolve());
            out.once('error', () => resolve());
          }),
    get gone() {
      return gone;
    },
    close: () => {
      out.off('error', onError);
    },
  };
}

/** Control characters escaped, so a quoted frame stays one readable line. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
