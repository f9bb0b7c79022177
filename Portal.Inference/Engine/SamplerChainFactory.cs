using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>Builds a llama.cpp sampler chain from <see cref="SamplingSettings"/>, in llama.cpp's usual order.</summary>
internal static class SamplerChainFactory
{
    public static SafeLlamaSamplerHandle Create(SamplingSettings settings, int vocabularySize)
    {
        var chain = SafeLlamaSamplerHandle.CreateChain();
        try
        {
            if (settings.RepeatPenalty != 1.0f && settings.RepeatLastN > 0)
            {
                chain.Add(LlamaNative.llama_sampler_init_penalties(vocabularySize, settings.RepeatLastN, settings.RepeatPenalty, 0, 0));
            }

            if (settings.Temperature <= 0)
            {
                chain.Add(LlamaNative.llama_sampler_init_greedy());
                return chain;
            }

            if (settings.TopK > 0)
            {
                chain.Add(LlamaNative.llama_sampler_init_top_k(settings.TopK));
            }

            if (settings.TopP < 1)
            {
                chain.Add(LlamaNative.llama_sampler_init_top_p(settings.TopP, 1));
            }

            if (settings.MinP > 0)
            {
                chain.Add(LlamaNative.llama_sampler_init_min_p(settings.MinP, 1));
            }

            chain.Add(LlamaNative.llama_sampler_init_temp(settings.Temperature));
            chain.Add(LlamaNative.llama_sampler_init_dist(settings.Seed ?? LlamaNative.LLAMA_DEFAULT_SEED));
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }
}
