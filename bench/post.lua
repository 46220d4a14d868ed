-- wrk script: POST the EWS request in $BODY with the Authorization in $AUTHZ.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["Authorization"] = os.getenv("AUTHZ")
wrk.headers["X-AnchorMailbox"] = "alice@contoso.example"
