// Faiss in-process vector search; see faiss.h. The index types are Faiss's
// own (IndexFlatIP, IndexIVFFlat, IndexHNSWFlat), all with inner product,
// which on unit vectors ranks like cosine similarity.
#include "faiss.h"

#include "../config.h"
#include "../json.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <unordered_set>

namespace fbload {

namespace {

// Debian's Faiss (1.7.x) keeps the label type inside Index.
using Label = faiss::Index::idx_t;

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Searches one query at a time (the latency a single client sees).
std::vector<Label> searchEach(const faiss::Index& index, const std::vector<float>& q, int nq, int k,
                                     std::vector<double>* latUs)
{
    const int d = index.d;
    std::vector<Label> labels(static_cast<size_t>(nq) * k);
    std::vector<float> dist(static_cast<size_t>(k));
    for (int i = 0; i < nq; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        index.search(1, q.data() + static_cast<size_t>(i) * d, k, dist.data(), labels.data() + static_cast<size_t>(i) * k);
        if (latUs)
            latUs->push_back(secondsSince(t0) * 1e6);
    }
    return labels;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) - 1;
    return v[std::min(i, v.size() - 1)];
}

}  // namespace

std::vector<float> randomNormalised(int64_t n, int dim, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(n) * dim);
    for (int64_t i = 0; i < n; ++i) {
        float* row = v.data() + static_cast<size_t>(i) * dim;
        double norm = 0;
        for (int j = 0; j < dim; ++j) {
            row[j] = g(rng);
            norm += double(row[j]) * row[j];
        }
        const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
        for (int j = 0; j < dim; ++j)
            row[j] *= inv;
    }
    return v;
}

FaissParams parseFaissParams(const Json& params)
{
    param::rejectUnknown(params, {"backend", "index", "count", "dimension", "queries", "top_k", "nlist", "nprobe", "hnsw_m",
                                  "ef_construction", "ef_search", "threads", "seed"});
    FaissParams p;
    p.index = param::string(params, "index", "hnsw");
    if (p.index != "flat" && p.index != "ivf" && p.index != "hnsw")
        throw ConfigError("params.index: expected flat, ivf or hnsw, got \"" + p.index + "\"");
    p.count = param::integer(params, "count", 10000, 1, int64_t{1} << 31);
    p.dimension = static_cast<int>(param::integer(params, "dimension", 128, 1, 65536));
    p.queries = static_cast<int>(param::integer(params, "queries", 200, 1, 10000000));
    p.k = static_cast<int>(param::integer(params, "top_k", 10, 1, 10000));
    if (p.k > p.count)
        throw ConfigError("params.top_k: " + std::to_string(p.k) + " exceeds params.count (" + std::to_string(p.count) + ")");
    p.nlist = static_cast<int>(param::integer(params, "nlist", 0, 0, 1 << 24));
    if (p.index == "ivf" && p.nlist > p.count)
        throw ConfigError("params.nlist: more lists than vectors (" + std::to_string(p.count) + ")");
    p.nprobe = static_cast<int>(param::integer(params, "nprobe", 8, 1, 1 << 24));
    p.hnswM = static_cast<int>(param::integer(params, "hnsw_m", 32, 2, 1024));
    p.efConstruction = static_cast<int>(param::integer(params, "ef_construction", 40, 1, 1 << 20));
    p.efSearch = static_cast<int>(param::integer(params, "ef_search", 64, 1, 1 << 20));
    p.threads = static_cast<int>(param::integer(params, "threads", 1, 1, 1024));
    p.seed = static_cast<uint64_t>(param::integer(params, "seed", 1, 0, INT64_MAX));
    return p;
}

FaissResult runFaiss(const FaissParams& p)
{
    omp_set_num_threads(p.threads);
    const std::vector<float> base = randomNormalised(p.count, p.dimension, p.seed);
    // Queries from a different stream than the base vectors.
    const std::vector<float> queries = randomNormalised(p.queries, p.dimension, p.seed ^ 0x9e3779b97f4a7c15ULL);

    // Ground truth: exhaustive inner-product search (exact by construction).
    faiss::IndexFlatIP exact(p.dimension);
    exact.add(p.count, base.data());
    const std::vector<Label> truth = searchEach(exact, queries, p.queries, p.k, nullptr);

    FaissResult r;
    std::unique_ptr<faiss::IndexFlatIP> quantizer;  // outlives the IVF index using it
    std::unique_ptr<faiss::Index> index;
    auto t0 = std::chrono::steady_clock::now();
    if (p.index == "flat") {
        index = std::make_unique<faiss::IndexFlatIP>(p.dimension);
        r.description = "Flat";
    } else if (p.index == "ivf") {
        int nlist = p.nlist > 0 ? p.nlist : std::max(1, static_cast<int>(std::sqrt(static_cast<double>(p.count))));
        quantizer = std::make_unique<faiss::IndexFlatIP>(p.dimension);
        auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer.get(), p.dimension, static_cast<size_t>(nlist),
                                                          faiss::METRIC_INNER_PRODUCT);
        ivf->nprobe = static_cast<size_t>(std::min(p.nprobe, nlist));
        ivf->cp.seed = static_cast<int>(p.seed & 0x7fffffff);
        ivf->train(p.count, base.data());
        r.description = "IVF" + std::to_string(nlist) + ",Flat nprobe=" + std::to_string(ivf->nprobe);
        index = std::move(ivf);
    } else {
        auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(p.dimension, p.hnswM, faiss::METRIC_INNER_PRODUCT);
        hnsw->hnsw.efConstruction = p.efConstruction;
        hnsw->hnsw.efSearch = p.efSearch;
        r.description = "HNSW" + std::to_string(p.hnswM) + ",Flat efConstruction=" + std::to_string(p.efConstruction) +
                        " efSearch=" + std::to_string(p.efSearch);
        index = std::move(hnsw);
    }
    r.trainS = secondsSince(t0);
    t0 = std::chrono::steady_clock::now();
    index->add(p.count, base.data());
    r.addS = secondsSince(t0);
    r.insertPerS = r.addS > 0 ? static_cast<double>(p.count) / r.addS : 0;

    std::vector<double> lat;
    lat.reserve(static_cast<size_t>(p.queries));
    t0 = std::chrono::steady_clock::now();
    const std::vector<Label> got = searchEach(*index, queries, p.queries, p.k, &lat);
    const double searchS = secondsSince(t0);
    r.queryQps = searchS > 0 ? p.queries / searchS : 0;
    r.latencyP50Us = percentile(lat, 50);
    r.latencyP99Us = percentile(lat, 99);

    // recall@k: how many of the exact top-k each approximate top-k found.
    size_t hits = 0;
    for (int q = 0; q < p.queries; ++q) {
        const Label* t = truth.data() + static_cast<size_t>(q) * p.k;
        std::unordered_set<Label> want(t, t + p.k);
        const Label* g = got.data() + static_cast<size_t>(q) * p.k;
        for (int i = 0; i < p.k; ++i)
            hits += want.count(g[i]);
    }
    r.recallAtK = static_cast<double>(hits) / (static_cast<double>(p.queries) * p.k);
    return r;
}

}  // namespace fbload
