/-
`llemma?` and `llemma? "prefix"`: send the main goal to a llemma-prover server
(`prove serve`, llmstep's protocol: `POST /` with `{"tactic_state", "prefix", "context"}`,
answer `{"suggestions": [...]}` or `{"error": ...}`) and offer the suggestions as
clickable "Try this" items.

The server address comes from the environment of the Lean server process:
`LLEMMA_HOST` (default 127.0.0.1), `LLEMMA_PORT` (default 6000) and, when the server
was started with a token, `LLEMMA_TOKEN`. The request goes through `curl`, as
LeanCopilot's external models do, so no HTTP library is needed on the Lean side.
-/
import Lean

open Lean Elab Tactic Meta

namespace LlemmaEditor

structure Endpoint where
  host : String
  port : String
  token? : Option String

def Endpoint.fromEnv : IO Endpoint := do
  return {
    host := (← IO.getEnv "LLEMMA_HOST").getD "127.0.0.1"
    port := (← IO.getEnv "LLEMMA_PORT").getD "6000"
    token? := (← IO.getEnv "LLEMMA_TOKEN") }

structure SuggestRequest where
  tactic_state : String
  «prefix» : String
  context : String
  deriving ToJson

structure SuggestResponse where
  suggestions : Array String
  deriving FromJson

/-- The curl command line for one request (JSON body as an argument, like LeanCopilot). -/
def curlArgs (ep : Endpoint) (body : String) : Array String :=
  let auth := match ep.token? with
    | some token => #["-H", s!"Authorization: Bearer {token}"]
    | none => #[]
  #["--silent", "--show-error", "--max-time", "60", "-X", "POST", s!"http://{ep.host}:{ep.port}/",
    "-H", "Content-Type: application/json", "-d", body] ++ auth

/-- Ask the server for tactics that continue `goal` and start with `pfx`. -/
def suggest (ep : Endpoint) (goal pfx : String) : IO (Array String) := do
  let body := (toJson ({ tactic_state := goal, «prefix» := pfx, context := "" } : SuggestRequest)).compress
  let out ← IO.Process.output { cmd := "curl", args := curlArgs ep body }
  if out.exitCode != 0 then
    throw <| IO.userError s!"llemma?: cannot reach http://{ep.host}:{ep.port}/: {out.stderr.trim}"
  let json ← IO.ofExcept <| (Json.parse out.stdout).mapError fun e => s!"llemma?: not JSON: {e}"
  if let .ok (message : String) := json.getObjValAs? String "error" then
    throw <| IO.userError s!"llemma?: server error: {message}"
  let response ← IO.ofExcept <| (fromJson? json : Except String SuggestResponse).mapError fun e => s!"llemma?: {e}"
  return response.suggestions

/-- `llemma?` suggests next tactics for the main goal; `llemma? "rw"` only those starting with `rw`. -/
syntax (name := llemmaSuggest) "llemma?" (ppSpace str)? : tactic

elab_rules : tactic
  | `(tactic| llemma? $[$pfx]?) => do
    let goal ← getMainGoal
    let state := toString (← ppGoal goal)
    let suggestions ← suggest (← Endpoint.fromEnv) state ((pfx.map (·.getString)).getD "")
    if suggestions.isEmpty then
      throwError "llemma?: the server returned no suggestions"
    let items := suggestions.map fun s => ({ suggestion := .string s } : Lean.Meta.Tactic.TryThis.Suggestion)
    Lean.Meta.Tactic.TryThis.addSuggestions (← getRef) items

end LlemmaEditor
