-- Helpers for the Lua tests in testdata/*.lua (loaded before each file).
-- t is the test bridged from Go: t:fatal(msg), t:error(msg), t:log(...),
-- t:run(name, fn).

-- show renders a value readably for failure messages.
function show(v)
  if type(v) == "string" then
    return string.format("%q", v)
  elseif type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(v)
end

-- eq fails the test unless got == want.
function eq(t, got, want, what)
  if got ~= want then
    t:fatal(string.format("%s: got %s, want %s", what or "value", show(got), show(want)))
  end
end

-- ok fails the test unless cond holds.
function ok(t, cond, what)
  if not cond then t:fatal(what or "condition failed") end
  return cond
end

-- must takes the results of a call returning v or nil, message, code and
-- fails the test on a failure; it returns v.
function must(t, v, msg, code)
  if v == nil then
    t:fatal(string.format("unexpected failure: %s (code %s)", tostring(msg), tostring(code)))
  end
  return v
end

-- fails takes the results of a call that should fail with the given code
-- and returns the message.
function fails(t, want_code, v, msg, code)
  if v ~= nil then
    t:fatal(string.format("expected a %s failure, got %s", want_code, show(v)))
  end
  if code ~= want_code then
    t:fatal(string.format("code: got %s (message %s), want %s", show(code), show(msg), show(want_code)))
  end
  if type(msg) ~= "string" or msg == "" then
    t:fatal("failure without a message")
  end
  return msg
end

-- contains fails unless s contains sub (plain text).
function contains(t, s, sub, what)
  if type(s) ~= "string" or not string.find(s, sub, 1, true) then
    t:fatal(string.format("%s: %s does not contain %s", what or "text", show(s), show(sub)))
  end
end

-- raises calls fn(...) and fails unless it raises an error containing
-- each of the given texts; it returns the error message.
function raises(t, texts, fn, ...)
  if type(texts) == "string" then texts = {texts} end
  local good, err = pcall(fn, ...)
  if good then
    t:fatal("expected an error containing " .. show(texts) .. ", got success")
  end
  err = tostring(err)
  for _, text in ipairs(texts) do
    if not string.find(err, text, 1, true) then
      t:fatal(string.format("error %s does not contain %s", show(err), show(text)))
    end
  end
  return err
end

-- connect opens a connection to the lab (its default profile).
function connect(t)
  return must(t, omapi.connect())
end

-- count returns the number of keys of a table.
function count(tbl)
  local n = 0
  for _ in pairs(tbl) do n = n + 1 end
  return n
end
