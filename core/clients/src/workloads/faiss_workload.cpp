// The faiss workload: `fbload run --workload faiss`, Faiss in-process, no
// server. prepare() builds the index over random normalised embeddings
// (timed: train, add, vectors/s) and the exact top-k of every query
// (IndexFlatIP, exhaustive); the load is single-query searches, each
// connection a thread of its own (BlockingSession), cycling through the
// queries; recall@k against the exact answers is reported in
// run.workload_info. Lives in fbload_faiss, linked into the fbload executable
// only (main.cpp registers it), so the engine's tests need not link Faiss.
#include "../config.h"
#include "../json.h"
#include "../workload.h"
#include "faiss.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <unordered_set>

namespace fbload {

namespace {

using Label = faiss::Index::idx_t;
enum : int { kMetricHits = kFirstWorkloadMetric };

double since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class FaissWorkload final : public Workload {
public:
    explicit FaissWorkload(const RunConfig& cfg) : p_(parseFaissParams(cfg.params)) {}

    std::string name() const override { return "faiss"; }
    std::vector<std::string> opNames() const override { return {"search"}; }
    std::vector<MetricSpec> extraMetrics() const override { return {{"hits_at_k", "hits"}}; }
    bool blocking() const override { return true; }
    std::unique_ptr<Session> newSession(int, uint64_t) const override { return nullptr; }
    std::unique_ptr<BlockingSession> newBlockingSession(int connIndex, uint64_t seed) const override;

    // The index lives in this process: every task of a client builds its own.
    void prepareTask(const RunConfig&) override
    {
        omp_set_num_threads(p_.threads);
        const std::vector<float> base = randomNormalised(p_.count, p_.dimension, p_.seed);
        queries_ = randomNormalised(p_.queries, p_.dimension, p_.seed ^ 0x9e3779b97f4a7c15ULL);
        {
            faiss::IndexFlatIP exact(p_.dimension);
            exact.add(p_.count, base.data());
            truth_.resize(static_cast<size_t>(p_.queries) * static_cast<size_t>(p_.k));
            std::vector<float> dist(truth_.size());
            exact.search(p_.queries, queries_.data(), p_.k, dist.data(), truth_.data());
        }
        auto t0 = std::chrono::steady_clock::now();
        if (p_.index == "flat") {
            index_ = std::make_unique<faiss::IndexFlatIP>(p_.dimension);
            description_ = "Flat";
        } else if (p_.index == "ivf") {
            const int nlist = p_.nlist > 0 ? p_.nlist : std::max(1, static_cast<int>(std::sqrt(static_cast<double>(p_.count))));
            quantizer_ = std::make_unique<faiss::IndexFlatIP>(p_.dimension);
            auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer_.get(), p_.dimension, static_cast<size_t>(nlist),
                                                              faiss::METRIC_INNER_PRODUCT);
            ivf->nprobe = static_cast<size_t>(std::min(p_.nprobe, nlist));
            ivf->cp.seed = static_cast<int>(p_.seed & 0x7fffffff);
            ivf->train(p_.count, base.data());
            description_ = "IVF" + std::to_string(nlist) + ",Flat nprobe=" + std::to_string(ivf->nprobe);
            index_ = std::move(ivf);
        } else {
            auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(p_.dimension, p_.hnswM, faiss::METRIC_INNER_PRODUCT);
            hnsw->hnsw.efConstruction = p_.efConstruction;
            hnsw->hnsw.efSearch = p_.efSearch;
            description_ = "HNSW" + std::to_string(p_.hnswM) + ",Flat efConstruction=" + std::to_string(p_.efConstruction) +
                           " efSearch=" + std::to_string(p_.efSearch);
            index_ = std::move(hnsw);
        }
        trainS_ = since(t0);
        t0 = std::chrono::steady_clock::now();
        index_->add(p_.count, base.data());
        addS_ = since(t0);
        std::cerr << "fbload: faiss: built " << description_ << " over " << p_.count << " x " << p_.dimension
                  << " in " << trainS_ + addS_ << " s\n";
    }

    void describe(Json& info) const override
    {
        info["index"] = description_;
        info["count"] = static_cast<double>(p_.count);
        info["dimension"] = p_.dimension;
        info["queries"] = p_.queries;
        info["top_k"] = p_.k;
        info["train_s"] = trainS_;
        info["add_s"] = addS_;
        info["insert_per_s"] = addS_ > 0 ? static_cast<double>(p_.count) / addS_ : 0.0;
        const double searched = static_cast<double>(searched_.load());
        info["searches"] = searched;
        // Over every search of the run (warm-up included): found / wanted.
        info["recall_at_k"] = searched > 0 ? static_cast<double>(hits_.load()) / (searched * p_.k) : Json();
    }

    // One search of query q; returns how many of the exact top-k it found.
    int search(int q, std::vector<float>& dist, std::vector<Label>& got) const
    {
        const size_t k = static_cast<size_t>(p_.k);
        index_->search(1, queries_.data() + static_cast<size_t>(q) * static_cast<size_t>(p_.dimension), p_.k,
                       dist.data(), got.data());
        const Label* t = truth_.data() + static_cast<size_t>(q) * k;
        std::unordered_set<Label> want(t, t + k);
        int hits = 0;
        for (size_t i = 0; i < k; ++i)
            hits += static_cast<int>(want.count(got[i]));
        hits_.fetch_add(static_cast<uint64_t>(hits), std::memory_order_relaxed);
        searched_.fetch_add(1, std::memory_order_relaxed);
        return hits;
    }
    const FaissParams& params() const { return p_; }

private:
    FaissParams p_;
    std::vector<float> queries_;
    std::vector<Label> truth_;
    std::unique_ptr<faiss::IndexFlatIP> quantizer_;  // outlives the IVF index using it
    std::unique_ptr<faiss::Index> index_;
    std::string description_;
    double trainS_ = 0, addS_ = 0;
    mutable std::atomic<uint64_t> hits_{0}, searched_{0};
};

class FaissSession final : public BlockingSession {
public:
    FaissSession(const FaissWorkload& w, int conn) : w_(w), next_(conn) {}
    bool open(std::string&) override
    {
        // One search per call on this thread: no OpenMP team inside it (the
        // engine's threads are the parallelism, as clients of a server would be).
        omp_set_num_threads(1);
        dist_.resize(static_cast<size_t>(w_.params().k));
        got_.resize(static_cast<size_t>(w_.params().k));
        return true;
    }
    ErrorClass call(uint32_t& op, CallSink& sink) override
    {
        op = 0;
        const int q = next_ % w_.params().queries;
        ++next_;
        sink.record(kMetricHits, w_.search(q, dist_, got_));
        return ErrorClass::None;
    }

private:
    const FaissWorkload& w_;
    int next_;
    std::vector<float> dist_;
    std::vector<Label> got_;
};

std::unique_ptr<Workload> makeFaissWorkload(const RunConfig& cfg)
{
    return std::make_unique<FaissWorkload>(cfg);
}

}  // namespace

std::unique_ptr<BlockingSession> FaissWorkload::newBlockingSession(int connIndex, uint64_t) const
{
    return std::make_unique<FaissSession>(*this, connIndex);
}

void registerFaissWorkload()
{
    registerWorkload("faiss", makeFaissWorkload);
}

}  // namespace fbload
