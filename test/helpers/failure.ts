import { isAutodevError, type AutodevError } from '../../src/errors.js';

/** The AutodevError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<AutodevError> {
  try {
    await promise;
  } catch (error) {
    if (isAutodevError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}
