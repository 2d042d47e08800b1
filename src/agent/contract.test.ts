/** The LlmClient contract (testing/llm-contract.ts) for the OpenAI-compatible client. */
import { directClient, llmClientContract } from '../testing/llm-contract.js';

llmClientContract('OpenAiCompatibleClient', (llm, sleep) =>
  Promise.resolve(directClient(llm, sleep)),
);
