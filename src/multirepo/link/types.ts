/**
 * Linking (issue #23, part 2): a consumer repository built and tested against the changed library
 * checkout instead of the published library, without a byte of that wiring reaching a pushed branch.
 * Every link works on copies of both checkouts in a scratch folder; each ecosystem's wiring is the
 * least invasive its tool offers (a flag, an environment variable, a no-save install).
 */
export const LINK_ECOSYSTEMS = ['npm', 'pnpm', 'yarn', 'cargo', 'go', 'pip'] as const;
export type LinkEcosystem = (typeof LINK_ECOSYSTEMS)[number];

/** The two copies a linker wires together, made by linkConsumer (index.ts). */
export interface LinkCopies {
  /** The consumer's copy: where its setup, link commands, build and tests run. */
  consumerDir: string;
  /** The library's copy, a sibling of the consumer's. */
  libraryDir: string;
  /** The folder holding both copies (and any file a link writes): the sandbox's writable tree. */
  scratchDir: string;
}

/** What a linker adds to the consumer's build so that it uses the changed library. */
export interface LinkWiring {
  /** The library's name as the consumer depends on it (package, crate, module path, distribution). */
  library: string;
  /** Run in the consumer's copy after its own setup and before its build and tests (argv each). */
  commands: string[][];
  /** Added to the environment of the consumer's setup, link commands, build and tests. */
  env: Record<string, string>;
  /** Added to the ecosystem tool's build and test commands (Cargo's `--config patch...`). */
  buildArgs: string[];
}

export interface LinkedBuild extends LinkWiring, LinkCopies {
  ecosystem: LinkEcosystem;
}

export interface Linker {
  readonly id: LinkEcosystem;
  /** Whether the consumer (its copy) is a project of this ecosystem. */
  detect(consumerDir: string): Promise<boolean>;
  /**
   * The wiring for these copies. LINK_FAILED naming the file or key when the library is not a
   * dependency of the consumer or a manifest cannot be read. Writes nothing outside `scratchDir`.
   */
  link(copies: LinkCopies): Promise<LinkWiring>;
}
