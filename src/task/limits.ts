/** Limits of a task message, in a module of their own so that small bundles (the webhook) need nothing else. */

/**
 * The longest prompt, in bytes of UTF-8: 256 KiB, SQS's classic message limit; about 64k tokens,
 * leaving most of a 200k context window to the repository and the conversation.
 */
export const MAX_PROMPT_BYTES = 256 * 1024;
