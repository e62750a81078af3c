#include "llm_protocol.h"

#include <charconv>
#include <ctime>
#include <stdexcept>

namespace fbload::serve {

namespace {

int64_t countWords(const std::string& s)
{
    int64_t words = 0;
    bool in = false;
    for (char c : s) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        words += (!space && !in) ? 1 : 0;
        in = !space;
    }
    return words;
}

// Words of a message content: a string, or OpenAI's array of parts.
int64_t contentWords(const Json& c)
{
    if (c.isString())
        return countWords(c.asString());
    int64_t n = 0;
    if (c.isArray())
        for (const Json& part : c.asArray())
            if (const Json* t = part.find("text"); t && t->isString())
                n += countWords(t->asString());
    return n;
}

bool isChat(LlmRoute r) { return r == LlmRoute::OpenAiChat || r == LlmRoute::OllamaChat; }
bool isOllama(LlmRoute r) { return r == LlmRoute::OllamaGenerate || r == LlmRoute::OllamaChat; }

// RFC 3339 UTC with microseconds, as Ollama's created_at.
std::string nowRfc3339()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t;
    gmtime_r(&ts.tv_sec, &t);
    char buf[48];
    const size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    snprintf(buf + n, sizeof buf - n, ".%06ldZ", static_cast<long>(ts.tv_nsec / 1000));
    return buf;
}

void appendInt(std::string& out, int64_t v)
{
    char num[24];
    auto r = std::to_chars(num, num + sizeof num, v);
    out.append(num, r.ptr);
}

void appendChunk(std::string& out, const std::string& payload)
{
    char hex[20];
    auto r = std::to_chars(hex, hex + sizeof hex, payload.size(), 16);
    out.append(hex, r.ptr);
    out += "\r\n";
    out += payload;
    out += "\r\n";
}

std::string tokenText(int64_t index) { return index == 0 ? "tok" : " tok"; }

}  // namespace

LlmRequest parseLlmRequest(LlmRoute route, const std::string& body)
{
    Json j;
    try {
        j = Json::parse(body.empty() ? std::string_view("{}") : std::string_view(body));
    } catch (const JsonError& e) {
        throw std::runtime_error(std::string("invalid JSON body: ") + e.what());
    }
    if (!j.isObject())
        throw std::runtime_error("the request body is not a JSON object");
    LlmRequest r;
    r.route = route;
    const Json* model = j.find("model");
    r.model = model && model->isString() ? model->asString() : "fbload-serve";
    const Json* stream = j.find("stream");
    r.stream = stream && stream->isBool() ? stream->asBool() : isOllama(route);  // Ollama streams by default
    if (isOllama(route)) {
        r.maxTokens = 128;
        if (const Json* o = j.find("options"))
            if (const Json* n = o->find("num_predict"); n && n->isNumber() && n->asInt() > 0)
                r.maxTokens = n->asInt();
    } else {
        for (const char* k : {"max_tokens", "max_completion_tokens"})
            if (const Json* n = j.find(k); n && n->isNumber() && n->asInt() > 0)
                r.maxTokens = n->asInt();
        if (const Json* so = j.find("stream_options"))
            if (const Json* u = so->find("include_usage"); u && u->isBool())
                r.includeUsage = u->asBool();
    }
    if (isChat(route)) {
        const Json* msgs = j.find("messages");
        if (!msgs || !msgs->isArray())
            throw std::runtime_error("\"messages\" is missing or not an array");
        for (const Json& m : msgs->asArray())
            if (const Json* c = m.find("content"))
                r.promptTokens += contentWords(*c);
    } else {
        const Json* p = j.find("prompt");
        if (p && p->isString())
            r.promptTokens = countWords(p->asString());
        else if (p && p->isArray())
            r.promptTokens = static_cast<int64_t>(p->asArray().size());  // token ids
        else if (!isOllama(route))
            throw std::runtime_error("\"prompt\" is missing");
    }
    return r;
}

LlmAnswer::LlmAnswer(const LlmRequest& req, uint64_t serial, int64_t tokens)
    : req_(req), created_(static_cast<int64_t>(time(nullptr))), tokens_(tokens)
{
    id_ = (isChat(req.route) ? "chatcmpl-" : "cmpl-") + std::to_string(serial);
    appendJsonString(modelJson_, req.model);
    common_ = "{\"id\":\"" + id_ + "\",\"object\":\"" +
              (req.route == LlmRoute::OpenAiChat ? "chat.completion.chunk" : "text_completion") +
              "\",\"created\":" + std::to_string(created_) + ",\"model\":" + modelJson_;
}

std::string LlmAnswer::streamHead() const
{
    return std::string("HTTP/1.1 200 OK\r\nContent-Type: ") +
           (isOllama(req_.route) ? "application/x-ndjson" : "text/event-stream") +
           "\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
}

std::string LlmAnswer::ollamaFinal(bool withText, int64_t totalNs, int64_t prefillNs) const
{
    std::string s = "{\"model\":" + modelJson_ + ",\"created_at\":\"" + nowRfc3339() + "\",";
    std::string text;
    if (withText)
        for (int64_t i = 0; i < tokens_; ++i)
            text += tokenText(i);
    if (req_.route == LlmRoute::OllamaChat) {
        s += "\"message\":{\"role\":\"assistant\",\"content\":";
        appendJsonString(s, text);
        s += "},";
    } else {
        s += "\"response\":";
        appendJsonString(s, text);
        s += ",";
    }
    s += "\"done\":true,\"done_reason\":\"length\",\"total_duration\":";
    appendInt(s, totalNs);
    s += ",\"load_duration\":0,\"prompt_eval_count\":";
    appendInt(s, req_.promptTokens);
    s += ",\"prompt_eval_duration\":";
    appendInt(s, prefillNs);
    s += ",\"eval_count\":";
    appendInt(s, tokens_);
    s += ",\"eval_duration\":";
    appendInt(s, totalNs - prefillNs);
    s += "}\n";
    return s;
}

void LlmAnswer::appendStreamToken(std::string& out, int64_t index, int64_t totalNs, int64_t prefillNs) const
{
    const bool last = index + 1 >= tokens_;
    std::string p;
    p.reserve(256);
    if (isOllama(req_.route)) {
        p = "{\"model\":" + modelJson_ + ",\"created_at\":\"" + nowRfc3339() + "\",";
        if (req_.route == LlmRoute::OllamaChat)
            p += "\"message\":{\"role\":\"assistant\",\"content\":\"" + tokenText(index) + "\"},";
        else
            p += "\"response\":\"" + tokenText(index) + "\",";
        p += "\"done\":false}\n";
        if (last)
            p += ollamaFinal(false, totalNs, prefillNs);
    } else {
        const bool chat = req_.route == LlmRoute::OpenAiChat;
        const std::string& common = common_;
        if (chat && index == 0)
            p += "data: " + common +
                 ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n";
        p += "data: " + common + ",\"choices\":[{\"index\":0,";
        p += chat ? "\"delta\":{\"content\":\"" + tokenText(index) + "\"}" : "\"text\":\"" + tokenText(index) + "\"";
        p += last ? ",\"finish_reason\":\"length\"}]}\n\n" : ",\"finish_reason\":null}]}\n\n";
        if (last && req_.includeUsage) {
            p += "data: " + common + ",\"choices\":[],\"usage\":{\"prompt_tokens\":";
            appendInt(p, req_.promptTokens);
            p += ",\"completion_tokens\":";
            appendInt(p, tokens_);
            p += ",\"total_tokens\":";
            appendInt(p, req_.promptTokens + tokens_);
            p += "}}\n\n";
        }
        if (last)
            p += "data: [DONE]\n\n";
    }
    appendChunk(out, p);
    if (last)
        out += "0\r\n\r\n";
}

std::string LlmAnswer::whole(int64_t totalNs, int64_t prefillNs) const
{
    std::string body;
    if (isOllama(req_.route)) {
        body = ollamaFinal(true, totalNs, prefillNs);
        body.pop_back();  // no newline after a single object
    } else {
        std::string text;
        for (int64_t i = 0; i < tokens_; ++i)
            text += tokenText(i);
        const bool chat = req_.route == LlmRoute::OpenAiChat;
        body = "{\"id\":\"" + id_ + "\",\"object\":\"" + (chat ? "chat.completion" : "text_completion") +
               "\",\"created\":" + std::to_string(created_) + ",\"model\":" + modelJson_ +
               ",\"choices\":[{\"index\":0,";
        if (chat) {
            body += "\"message\":{\"role\":\"assistant\",\"content\":";
            appendJsonString(body, text);
            body += "}";
        } else {
            body += "\"text\":";
            appendJsonString(body, text);
        }
        body += ",\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":";
        appendInt(body, req_.promptTokens);
        body += ",\"completion_tokens\":";
        appendInt(body, tokens_);
        body += ",\"total_tokens\":";
        appendInt(body, req_.promptTokens + tokens_);
        body += "}}";
    }
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

}  // namespace fbload::serve
