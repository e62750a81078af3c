// The vector workload's no-server case: Faiss in-process (Debian libfaiss-dev).
// Builds a Flat, IVF or HNSW index over random normalised embeddings, times
// the build and single-query searches, and measures recall@k against exact
// (brute-force inner-product) search over the same vectors.
//
// Kept out of fbload_engine (its own library, fbload_faiss, linked into the
// fbload executable only) so that the engine's tests need not link Faiss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fbload {

class Json;

struct FaissParams {
    std::string index = "hnsw";  // flat | ivf | hnsw
    int64_t count = 10000;       // vectors in the index
    int dimension = 128;
    int queries = 200;
    int k = 10;
    int nlist = 0;               // ivf: inverted lists (0: about sqrt(count))
    int nprobe = 8;              // ivf: lists searched per query
    int hnswM = 32;              // hnsw: links per node
    int efConstruction = 40;
    int efSearch = 64;
    int threads = 1;             // OpenMP threads for build and exact search
    uint64_t seed = 1;
};

struct FaissResult {
    std::string description;     // "IVF256,Flat nprobe=8" ...
    double trainS = 0, addS = 0;  // index training and adding
    double insertPerS = 0;       // vectors added per second
    double queryQps = 0;         // single-query searches per second (one thread)
    double latencyP50Us = 0, latencyP99Us = 0;
    double recallAtK = 0;        // |approx ∩ exact| / (queries * k)
};

// Validates params (throws ConfigError naming "params.<key>").
FaissParams parseFaissParams(const Json& params);
FaissResult runFaiss(const FaissParams& p);
// `n` random vectors of `dim` floats, each of unit length (row-major).
std::vector<float> randomNormalised(int64_t n, int dim, uint64_t seed);
// Adds `fbload run --workload faiss` (faiss_workload.cpp); main() calls it.
void registerFaissWorkload();

}  // namespace fbload
