// Clock helpers: one monotonic nanosecond clock for every measurement, and
// the offset that maps it to Unix time for the result's timestamps.
#pragma once

#include <cstdint>
#include <ctime>

namespace fbload {

inline int64_t monoNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t unixNs()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace fbload
