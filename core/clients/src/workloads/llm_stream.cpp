#include "llm_stream.h"

#include "../json.h"
#include "../bounds.h"

#include <algorithm>
#include <cstring>

namespace fbload {

void LlmStreamDecoder::reset()
{
    firstTokenNs = lastTokenNs = -1;
    itlNs.clear();
    chunks.clear();
    contentChunks = 0;
    promptTokens = completionTokens = -1;
    done = error = overflow = false;
    errorText.clear();
    buf_.clear();
}

void LlmStreamDecoder::setOverflow(const char* what)
{
    overflow = error = true;
    errorText = what;
    std::string().swap(buf_);  // give the memory back, not just the length
}

void LlmStreamDecoder::feed(const char* data, size_t len, int64_t nowNs)
{
    if (overflow)
        return;
    if (!stream_) {
        if (len > kMaxBufferedBytes - buf_.size())
            return setOverflow("the answer is longer than the buffered-response limit");
        if (buf_.size() + len > buf_.capacity())  // double, but never past the limit
            buf_.reserve(std::min(kMaxBufferedBytes, std::max(buf_.size() + len, 2 * buf_.capacity())));
        buf_.append(data, len);
        return;
    }
    size_t start = 0;
    while (start < len) {
        const char* nl = static_cast<const char*>(std::memchr(data + start, '\n', len - start));
        const size_t n = nl ? static_cast<size_t>(nl - (data + start)) : len - start;
        if (n > kMaxLineBytes - buf_.size())
            return setOverflow("a stream line is longer than the line limit");
        if (!nl) {
            buf_.append(data + start, n);
            return;
        }
        std::string_view l(data + start, n);
        if (!buf_.empty()) {
            buf_.append(data + start, n);
            l = buf_;
        }
        if (!l.empty() && l.back() == '\r')
            l.remove_suffix(1);
        line(l, nowNs);
        buf_.clear();
        start += n + 1;
    }
}

void LlmStreamDecoder::finish(int64_t nowNs)
{
    if (overflow)
        return;
    if (!stream_) {
        event(buf_, nowNs);
        buf_.clear();
        done = !error;
        return;
    }
    if (!buf_.empty()) {
        std::string rest;
        rest.swap(buf_);
        line(rest, nowNs);
    }
}

void LlmStreamDecoder::line(std::string_view l, int64_t nowNs)
{
    if (l.empty() || overflow)
        return;
    if (api_ == LlmApi::OpenAiCompletions || api_ == LlmApi::OpenAiChat) {
        // Server-sent events: only "data:" lines carry payload; comments
        // (":"), "event:" and "id:" lines are ignored.
        if (l.substr(0, 5) != "data:")
            return;
        l.remove_prefix(5);
        while (!l.empty() && l.front() == ' ')
            l.remove_prefix(1);
        if (l == "[DONE]") {
            done = true;
            return;
        }
    }
    event(l, nowNs);
}

static const Json* path(const Json& j, std::initializer_list<const char*> keys)
{
    const Json* cur = &j;
    for (const char* k : keys) {
        cur = cur->find(k);
        if (!cur)
            return nullptr;
    }
    return cur;
}

static bool nonEmptyString(const Json* j)
{
    return j && j->isString() && !j->asString().empty();
}

void LlmStreamDecoder::event(std::string_view text, int64_t nowNs)
{
    Json j;
    try {
        j = Json::parse(text);
    } catch (const JsonError& e) {
        error = true;
        errorText = std::string("unparsable response chunk: ") + e.what();
        return;
    }
    if (!j.isObject()) {
        error = true;
        errorText = "response chunk is not a JSON object";
        return;
    }
    if (const Json* e = j.find("error"); e && !e->isNull()) {
        error = true;
        errorText = e->isString() ? e->asString() : e->dump();
        return;
    }
    bool content = false;
    bool choice = false;  // vLLM's notion of a token chunk (llm_dialects.h)
    switch (api_) {
    case LlmApi::OllamaGenerate:
        content = nonEmptyString(j.find("response")) || nonEmptyString(j.find("thinking"));
        break;
    case LlmApi::OllamaChat:
        content = nonEmptyString(path(j, {"message", "content"})) || nonEmptyString(path(j, {"message", "thinking"}));
        break;
    case LlmApi::OpenAiCompletions:
    case LlmApi::OpenAiChat: {
        const Json* choices = j.find("choices");
        if (choices && choices->isArray() && !choices->asArray().empty()) {
            choice = true;
            const Json& c = choices->asArray()[0];
            if (api_ == LlmApi::OpenAiCompletions)
                content = nonEmptyString(c.find("text"));
            else if (stream_)
                content = nonEmptyString(path(c, {"delta", "content"})) ||
                          nonEmptyString(path(c, {"delta", "reasoning_content"}));
            else
                content = nonEmptyString(path(c, {"message", "content"}));
        }
        if (const Json* u = j.find("usage"); u && u->isObject()) {
            if (const Json* p = u->find("prompt_tokens"); p && p->isNumber())
                promptTokens = p->asInt();
            if (const Json* c = u->find("completion_tokens"); c && c->isNumber())
                completionTokens = c->asInt();
        }
        break;
    }
    }
    if (api_ == LlmApi::OllamaGenerate || api_ == LlmApi::OllamaChat) {
        choice = true;
        if (const Json* d = j.find("done"); d && d->isBool() && d->asBool()) {
            choice = false;
            done = true;
            if (const Json* p = j.find("prompt_eval_count"); p && p->isNumber())
                promptTokens = p->asInt();
            if (const Json* c = j.find("eval_count"); c && c->isNumber())
                completionTokens = c->asInt();
        }
    }
    if (recordChunks && (choice || content) && chunks.size() < kMaxStreamChunks)
        chunks.push_back({nowNs, choice, content});
    if (content) {
        if (contentChunks >= kMaxStreamChunks)
            return setOverflow("the stream has more content chunks than the chunk limit");
        ++contentChunks;
        if (firstTokenNs < 0)
            firstTokenNs = nowNs;
        else
            itlNs.push_back(nowNs - lastTokenNs);
        lastTokenNs = nowNs;
    }
}

}  // namespace fbload
