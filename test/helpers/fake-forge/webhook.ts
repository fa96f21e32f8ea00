/** POSTs one webhook delivery as a forge does: a JSON body and the forge's own event and auth headers. */
export async function deliverWebhook(
  url: string,
  payload: string | Buffer,
  headers: Record<string, string>,
): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return response.status;
}
