/**
 * Opens a pull request; when the forge refuses because one is open already (another run, such as a
 * killed one's retried request, opened it between the list and the create), the open one is returned.
 * `isRace` tells that refusal from any other failure, which is thrown as it came.
 */
export async function createUnlessRaced<T>(
  create: () => Promise<T>,
  findOpen: () => Promise<T | undefined>,
  isRace: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    const raced = isRace(error) ? await findOpen() : undefined;
    if (raced === undefined) throw error;
    return raced;
  }
}
