import { anthropicBaseUrl } from '../llm/anthropic.js';
import { openAiBaseUrl } from '../llm/openai.js';
import { probe } from './http-probe.js';
import type { CheckResult, DoctorCheck } from './types.js';

/**
 * The model: its key is set, and its endpoint answers the model listing (`GET .../v1/models`, which
 * costs nothing) with the key accepted. An endpoint without a listing (404) is reachable; its key is
 * then only checked by the first task.
 */
export const modelCheck: DoctorCheck = {
  name: 'model',
  async run({ config, timeoutMs }) {
    const llm = config.llm;
    if (llm.provider === 'replay') {
      return [
        {
          name: 'model',
          status: 'ok',
          message: `replays the recorded replies of task ${llm.replay_task ?? '?'}`,
        },
      ];
    }
    const key = config.secrets.llmApiKey;
    const results: CheckResult[] = [
      key === undefined
        ? {
            name: 'model.key',
            status: 'fail',
            message: `${llm.api_key_env} is not set: set it to the model's API key (the variable is named by [autodev.llm] api_key_env)`,
          }
        : { name: 'model.key', status: 'ok', message: `read from ${llm.api_key_env}` },
    ];
    const isAnthropic = llm.provider === 'anthropic';
    const url = isAnthropic
      ? `${anthropicBaseUrl(llm.api_url)}/v1/models`
      : `${openAiBaseUrl(llm.api_url)}/models`;
    const headers: Record<string, string> = isAnthropic
      ? { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) }
      : key
        ? { authorization: `Bearer ${key}` }
        : {};
    const answer = await probe(url, headers, timeoutMs);
    const where = `${llm.provider} endpoint ${llm.api_url}`;
    const change = 'set [autodev.llm] api_url or AUTODEV_LLM_API_URL';
    if (!answer.ok) {
      results.push({
        name: 'model.endpoint',
        status: 'fail',
        message: `cannot reach the ${where}: ${answer.reason}; ${change}`,
      });
    } else if ((answer.status === 401 || answer.status === 403) && key !== undefined) {
      results.push({
        name: 'model.endpoint',
        status: 'fail',
        message: `the ${where} refused the key in ${llm.api_key_env} (HTTP ${answer.status}): set a valid key there`,
      });
    } else if (answer.status >= 200 && answer.status < 300) {
      results.push({
        name: 'model.endpoint',
        status: 'ok',
        message: `the ${where} answers (model ${llm.model})`,
      });
    } else if (answer.status < 500) {
      results.push({
        name: 'model.endpoint',
        status: 'ok',
        message: `the ${where} answers (HTTP ${answer.status} to the model listing: the key is checked by the first call)`,
      });
    } else {
      results.push({
        name: 'model.endpoint',
        status: 'warn',
        message: `the ${where} answered HTTP ${answer.status}; ${change} if it is the wrong one`,
      });
    }
    return results;
  },
};
