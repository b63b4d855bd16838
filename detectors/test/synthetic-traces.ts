import type { DetectorKind, DetectorTrace } from '../src/index.ts'
import { TraceBuilder } from './trace-builder.ts'

/** A hand-written trace and the detectors that must (and the only ones that may) flag it. */
export interface SyntheticTrace {
  name: string
  /** The kinds that must fire; any other kind firing is a false positive. */
  expect: DetectorKind[]
  trace: DetectorTrace
}

// Most runs end with a check, so missing-verification stays quiet unless a fixture is about it.
const verify = (t: TraceBuilder, agent: string, claim: string) => t.tool(agent, 'verify_answer', { claim }, { verified: true })

/**
 * The synthetic fixtures: for each failure kind, runs that show it (with distinct wording and
 * domains) and near-misses that must not fire. Shared by the detector tests and the
 * precision rows of `npm run bench`.
 */
export function syntheticTraces(): SyntheticTrace[] {
  return [
    // ── loop ──────────────────────────────────────────────────────────────────────────────
    fixture('loop: same search three times, same result', ['loop'], 'What was the population of Lyon in 2023?', (t) => {
      t.message('planner', 'Find the 2023 population of Lyon from an official statistics source.', { to: 'researcher' })
      for (let i = 0; i < 3; i++) t.tool('researcher', 'search_web', { query: 'Lyon population 2023' }, { results: ['Lyon - Wikipedia', 'INSEE city data'] })
      t.tool('researcher', 'open_page', { url: 'https://www.insee.fr/lyon' }, { text: 'Lyon: 522,250 inhabitants (2023)' })
      verify(t, 'researcher', 'Lyon had 522,250 inhabitants in 2023')
      return t.end('Lyon had 522,250 inhabitants in 2023.')
    }),
    fixture('loop: a model asks for the same failing test run four times', ['loop'], 'Fix the failing date parser test in src/parse-date.ts.', (t) => {
      t.llm('coder', { text: 'I changed the parser to accept ISO weeks.' })
      for (let i = 0; i < 4; i++) {
        t.llm('coder', { calls: [{ name: 'run_tests', args: { path: 'src/parse-date.test.ts' }, id: `call_${i}` }], tools: ['run_tests', 'edit_file'] })
        t.tool('coder', 'run_tests', { path: 'src/parse-date.test.ts' }, { passed: 11, failed: 1, failure: 'expected 2025-W05 to parse' }, { toolCallId: `call_${i}` })
      }
      return t.end('The test still fails.')
    }),
    fixture('loop: the same apology, reworded slightly, three times', ['loop'], 'When does the Louvre open on Tuesdays?', (t) => {
      t.message('assistant', 'I am sorry, but I could not find the opening hours of the Louvre on the official page, so let me try another search for the museum hours.')
      t.tool('assistant', 'search_web', { query: 'Louvre opening hours' }, { results: ['louvre.fr'] })
      t.message('assistant', 'I am sorry, but I could not find the opening hours of the Louvre on the official page, so let me try one more search for the museum hours.')
      t.tool('assistant', 'search_web', { query: 'Louvre hours Tuesday' }, { results: ['Closed on Tuesdays'] })
      t.message('assistant', 'I am sorry, but I could not find the opening hours of the Louvre on the official page, so let me try a different search for the museum hours.')
      t.tool('assistant', 'verify_answer', { claim: 'The Louvre is closed on Tuesdays' }, { verified: true })
      return t.end('The Louvre is closed on Tuesdays.')
    }),
    fixture('near miss: the same tool with a new page each time', [], 'List every open issue labelled "bug" in the tracker.', (t) => {
      for (let page = 1; page <= 3; page++) t.tool('triager', 'list_issues', { label: 'bug', page }, { issues: [`#${page}01`, `#${page}02`] })
      verify(t, 'triager', '6 open bugs')
      return t.end('There are 6 open bugs: #101, #102, #201, #202, #301, #302.')
    }),
    fixture('near miss: polling a job whose status changes', [], 'Export the monthly report and give me its download link.', (t) => {
      t.tool('exporter', 'start_export', { report: 'monthly' }, { job: 'job-42' })
      for (const status of ['queued', 'running', 'done']) t.tool('exporter', 'check_status', { job: 'job-42' }, { status })
      t.tool('exporter', 'verify_link', { url: 'https://reports.example.com/job-42.csv' }, { ok: true })
      return t.end('The report is ready: https://reports.example.com/job-42.csv')
    }),
    fixture('near miss: the same call only twice', [], 'What is the EUR to USD rate today?', (t) => {
      t.tool('fx', 'get_rate', { from: 'EUR', to: 'USD' }, { rate: 1.08 })
      t.tool('fx', 'get_rate', { from: 'EUR', to: 'USD' }, { rate: 1.08 })
      verify(t, 'fx', '1 EUR = 1.08 USD')
      return t.end('1 EUR = 1.08 USD today.')
    }),
    fixture('near miss: short routing chatter repeats', [], 'Summarise the attached meeting notes in three bullet points.', (t) => {
      for (let i = 0; i < 4; i++) {
        t.message('orchestrator', 'Next speaker: summariser')
        t.message('summariser', ['Decisions: ship v2 on Friday and freeze the API.', 'Owners: Ana drafts the changelog, Bo runs the release.', 'Risks: the migration script is untested on large tenants.', 'Those are the three points; the summary is complete.'][i]!)
      }
      t.message('reviewer', 'I verified the three bullet points against the notes: all confirmed.')
      return t.end('Ship v2 Friday with an API freeze; Ana writes the changelog and Bo releases; the migration is untested on large tenants.')
    }),

    // ── ping-pong ─────────────────────────────────────────────────────────────────────────
    fixture('ping-pong: writer and reviewer trade the same draft', ['ping-pong'], 'Write a two-sentence product description for the Aurora desk lamp.', (t) => {
      for (let i = 0; i < 3; i++) {
        t.message('writer', 'Here is the draft: The Aurora desk lamp brings soft, adjustable light to any workspace. Its slim arm folds flat when you are done.', { to: 'reviewer' })
        t.message('reviewer', 'The intro is too generic; please rewrite the first sentence and send it back to me.', { to: 'writer' })
      }
      t.message('reviewer', 'I checked the final wording against the brief and confirmed it.')
      return t.end('The Aurora desk lamp brings soft, adjustable light to any workspace. Its slim arm folds flat when you are done.')
    }),
    fixture('ping-pong: support and billing bounce a refund', ['ping-pong'], 'Refund order 1234 for the customer, who was charged twice.', (t) => {
      for (let i = 0; i < 3; i++) {
        t.message('support', 'Transferring to billing: the customer asks for a refund of order 1234, charged twice.', { to: 'billing' })
        t.message('billing', 'This is not a billing issue; sending it back to support to handle the refund of order 1234.', { to: 'support' })
      }
      return t.end(null)
    }).withExpect(['ping-pong', 'premature-termination']),
    fixture('ping-pong: planner, coder and tester go round three times', ['ping-pong'], 'Add input validation to the signup form.', (t) => {
      for (let i = 0; i < 3; i++) {
        t.message('planner', 'Coder: add an email format check to the signup form, then hand over to the tester.', { to: 'coder' })
        t.message('coder', 'Done: the signup form now rejects an email without an @ sign. Tester, please check it.', { to: 'tester' })
        t.message('tester', 'The form still accepts "a@b" without a domain suffix. Planner, please re-plan the validation.', { to: 'planner' })
      }
      // The tester did check (and found a gap): not a missing verification.
      return t.end('Validation added.')
    }),
    fixture('near miss: two agents alternate and make progress', [], 'Translate the three release notes into German.', (t) => {
      const notes = ['Faster start-up on large projects.', 'New dark theme for the editor.', 'Fixed a crash when saving files over the network.']
      const german = ['Schnellerer Start bei großen Projekten.', 'Neues dunkles Design für den Editor.', 'Absturz beim Speichern von Dateien über das Netzwerk behoben.']
      notes.forEach((note, i) => {
        t.message('lead', `Please translate release note ${i + 1}: ${note}`, { to: 'translator' })
        t.message('translator', `Translation of note ${i + 1}: ${german[i]}`, { to: 'lead' })
      })
      t.message('lead', 'I double-checked all three translations against the originals: confirmed.')
      return t.end(german.join(' '))
    }),
    fixture('near miss: the same exchange only twice', [], 'Choose a name for the new billing service.', (t) => {
      for (let i = 0; i < 2; i++) {
        t.message('namer', 'I propose the name Ledgerline for the billing service.', { to: 'critic' })
        t.message('critic', 'Ledgerline is taken by another product; please propose something else.', { to: 'namer' })
      }
      t.message('namer', 'Then I propose Tallyhouse for the billing service.', { to: 'critic' })
      t.message('critic', 'Tallyhouse is free and fits; I verified that no product uses it.')
      return t.end('Tallyhouse')
    }),

    // ── no progress ───────────────────────────────────────────────────────────────────────
    fixture('no progress: clicks and scrolls leave the page as it was', ['no-progress'], 'Find the price of the Pro plan on the vendor site.', (t) => {
      const page = { url: 'https://vendor.example.com/pricing', visiblePlans: ['Free', 'Team'] }
      t.tool('browser', 'open', { url: 'https://vendor.example.com/pricing' }, page)
      t.tool('browser', 'click', { target: 'Show all plans' }, page)
      t.tool('browser', 'scroll', { direction: 'down' }, page)
      t.tool('browser', 'click', { target: 'Compare plans' }, page)
      verify(t, 'browser', 'The Pro plan price is not shown')
      return t.end('The Pro plan costs $49 per month.')
    }),
    fixture('no progress: different paths, the same missing file', ['no-progress'], 'Read the deployment config and tell me the region.', (t) => {
      for (const path of ['deploy.yaml', 'config/deploy.yaml', 'ops/deploy.yml']) t.tool('ops', 'read_file', { path }, { error: 'file not found' })
      return t.end('I could not find the deployment config.')
    }).withExpect(['no-progress', 'premature-termination']),
    fixture('no progress: a form that never submits', ['no-progress'], 'Subscribe the address ana@example.com to the newsletter.', (t) => {
      const form = { page: 'newsletter', message: 'Please complete the captcha.' }
      t.tool('web', 'type', { field: 'email', text: 'ana@example.com' }, form)
      t.tool('web', 'click', { target: 'Subscribe' }, form)
      t.tool('web', 'press_key', { key: 'Enter' }, form)
      t.tool('web', 'click', { target: 'Submit' }, form)
      t.message('web', 'I confirmed the subscription went through.')
      return t.end('ana@example.com is subscribed.')
    }),
    fixture('near miss: each action changes what the agent sees', [], 'Find the price of the Pro plan on the vendor site.', (t) => {
      t.tool('browser', 'open', { url: 'https://vendor.example.com' }, { url: 'https://vendor.example.com', title: 'Home' })
      t.tool('browser', 'click', { target: 'Pricing' }, { url: 'https://vendor.example.com/pricing', title: 'Pricing' })
      t.tool('browser', 'click', { target: 'Pro' }, { url: 'https://vendor.example.com/pricing/pro', title: 'Pro plan: $49 per month' })
      verify(t, 'browser', 'The Pro plan costs $49 per month')
      return t.end('The Pro plan costs $49 per month.')
    }),

    // ── reasoning–action mismatch ─────────────────────────────────────────────────────────
    fixture('mismatch: says Paris, asks for London', ['reasoning-action-mismatch'], 'What is the weather in Paris right now?', (t) => {
      t.llm('assistant', { reasoning: "The user wants Paris. I'll call get_weather for 'Paris'.", calls: [{ name: 'get_weather', args: { city: 'London' }, id: 'call_1' }], tools: ['get_weather'] })
      t.tool('assistant', 'get_weather', { city: 'London' }, { sky: 'rain', temperatureC: 11 }, { toolCallId: 'call_1' })
      verify(t, 'assistant', 'It rains, 11 °C')
      return t.end('It is raining in Paris, 11 °C.')
    }),
    fixture('mismatch: plans a flight search, books a hotel', ['reasoning-action-mismatch'], 'Find flights from Berlin to Rome on 14 March.', (t) => {
      t.llm('agent', { text: 'I will use search_flights to find flights from Berlin to Rome on 14 March.', calls: [{ name: 'book_hotel', args: { city: 'Rome', nights: 2 } }], tools: ['search_flights', 'book_hotel'] })
      verify(t, 'agent', 'Booked a hotel in Rome')
      return t.end('I booked a hotel in Rome for two nights.')
    }),
    fixture('mismatch: promises not to delete, deletes', ['reasoning-action-mismatch'], 'Show me what is in notes.txt.', (t) => {
      t.llm('files', { reasoning: "I won't call delete_file; I'll only read the file.", calls: [{ name: 'delete_file', args: { path: 'notes.txt' } }], tools: ['read_file', 'delete_file'] })
      t.tool('files', 'read_file', { path: 'notes.txt' }, { error: 'not found' })
      t.message('files', 'I verified that notes.txt is gone.')
      return t.end('notes.txt no longer exists.')
    }),
    fixture('mismatch: says it hands to the reviewer, sends to the deployer', ['reasoning-action-mismatch'], 'Ship the hotfix for the login bug.', (t) => {
      t.message('lead', 'The patch is ready. I will ask the reviewer to check the diff before anything else.')
      t.message('lead', 'Please deploy the login hotfix to production now.', { to: 'deployer' })
      t.message('deployer', 'Deployed the login hotfix; I verified the login page works in production.')
      t.message('reviewer', 'Nobody asked me to review anything.')
      return t.end('The login hotfix is live.')
    }),
    fixture('near miss: the action does what the reasoning said', [], 'What is the weather in Paris right now?', (t) => {
      t.llm('assistant', { reasoning: "I'll call get_weather for 'Paris'.", calls: [{ name: 'get_weather', args: { city: 'Paris' }, id: 'call_1' }], tools: ['get_weather'] })
      t.tool('assistant', 'get_weather', { city: 'Paris' }, { sky: 'sunny', temperatureC: 18 }, { toolCallId: 'call_1' })
      verify(t, 'assistant', 'Sunny, 18 °C')
      return t.end('It is sunny in Paris, 18 °C.')
    }),
    fixture('near miss: a tool is mentioned without an intent', [], 'How many rows does the users table have?', (t) => {
      t.llm('analyst', { text: 'Earlier, drop_table removed the staging copy. The live table is intact.', calls: [{ name: 'run_sql', args: { sql: 'select count(*) from users' } }], tools: ['run_sql', 'drop_table'] })
      t.tool('analyst', 'run_sql', { sql: 'select count(*) from users' }, { count: 1204 })
      verify(t, 'analyst', '1204 rows')
      return t.end('The users table has 1,204 rows.')
    }),

    // ── task derailment ───────────────────────────────────────────────────────────────────
    fixture('derailment: the researcher wanders off to football', ['task-derailment'], 'Summarise ACME Corp quarterly revenue growth for Q3 2024 from the investor report.', (t) => {
      t.message('researcher', 'ACME Corp quarterly revenue grew in Q3 2024 according to the investor report; I am reading the revenue table now.')
      t.message('researcher', 'Meanwhile the local football club won their derby match on Saturday with a late penalty kick.')
      t.message('researcher', 'The striker who scored has now netted twelve goals this season, a club record for a winger.')
      t.message('researcher', 'Tickets for the next home game against the league leaders sell out fast, so fans should book early.')
      t.tool('researcher', 'verify_answer', { claim: 'revenue grew 8%' }, { verified: true })
      return t.end('ACME Corp revenue grew 8% in Q3 2024.')
    }),
    fixture('derailment: the assistant swaps the bug for a recipe', ['task-derailment'], 'Find why the payment webhook returns HTTP 500 after the database migration.', (t) => {
      t.message('debugger', 'The payment webhook returns HTTP 500 since the database migration; checking the webhook logs first.')
      t.message('debugger', 'A classic Neapolitan pizza dough needs flour, water, salt and yeast, kneaded for ten minutes.')
      t.message('debugger', 'Let the dough rise for a full day in the fridge so the crust gets airy and light.')
      t.message('debugger', 'Bake it on a hot stone at the highest oven setting until the edges char slightly.')
      t.message('debugger', 'I verified the fix: the webhook now returns 200.')
      return t.end('The migration dropped the payments.status column; restoring it fixed the webhook.')
    }),
    fixture('derailment: the planner drifts into office logistics', ['task-derailment'], 'Estimate the cloud cost of running the nightly data pipeline on spot instances.', (t) => {
      t.message('planner', 'To estimate the cloud cost of the nightly data pipeline on spot instances, I need its run time and instance type.')
      t.message('planner', 'The team offsite is planned for June; we should book a venue near the lake with a big meeting room.')
      t.message('planner', 'Lunch could be catered by the Italian place downtown, and we need a vegetarian option for four people.')
      t.message('planner', 'Travel reimbursements go through the usual form; remind everyone to keep their train receipts.')
      t.tool('planner', 'verify_estimate', { usd: 310 }, { ok: true })
      return t.end('About $310 per month on spot instances.')
    }),
    fixture('near miss: every message stays on the task', [], 'Summarise ACME Corp quarterly revenue growth for Q3 2024 from the investor report.', (t) => {
      t.message('researcher', 'Opening the ACME Corp investor report for Q3 2024 to find the quarterly revenue table.')
      t.message('researcher', 'The report shows ACME Corp revenue of $1.2 billion in Q3 2024 against $1.1 billion a year before.')
      t.message('researcher', 'That is quarterly revenue growth of about 8% for ACME Corp, driven by the cloud segment per the report.')
      t.tool('researcher', 'verify_answer', { claim: 'revenue grew 8%' }, { verified: true })
      return t.end('ACME Corp revenue grew about 8% in Q3 2024.')
    }),
    fixture('near miss: a single aside', [], 'Find why the payment webhook returns HTTP 500 after the database migration.', (t) => {
      t.message('debugger', 'The payment webhook returns HTTP 500 since the database migration; checking the webhook logs first.')
      t.message('debugger', 'Side note: the office coffee machine on the third floor is broken again this morning.')
      t.message('debugger', 'The webhook logs show the migration dropped the payments status column, which the webhook handler reads.')
      t.message('debugger', 'I verified the fix: after restoring the column the webhook returns HTTP 200 again.')
      return t.end('The migration dropped payments.status; restoring it fixed the HTTP 500.')
    }),

    // ── premature termination ─────────────────────────────────────────────────────────────
    fixture('premature: the run stops without an answer', ['premature-termination'], 'How many public holidays does Bavaria have in 2025?', (t) => {
      t.message('orchestrator', 'Searcher, please find the list of public holidays in Bavaria for 2025.', { to: 'searcher' })
      t.tool('searcher', 'search_web', { query: 'Bavaria public holidays 2025' }, { results: ['feiertage-bayern.de'] })
      return t.end(null)
    }),
    fixture('premature: it gives up', ['premature-termination'], 'Which river flows through the town of Passau besides the Danube and the Inn?', (t) => {
      t.tool('searcher', 'search_web', { query: 'rivers Passau' }, { results: ['Passau - three rivers city'] })
      return t.end('I was unable to determine the third river.')
    }),
    fixture('premature: the run crashed', ['premature-termination'], 'Convert the sales spreadsheet to a summary table.', (t) => {
      t.tool('analyst', 'read_spreadsheet', { path: 'sales.xlsx' }, null, { error: 'unsupported file format' })
      return t.end(undefined, { failed: 'unsupported file format' })
    }),
    fixture('premature: a quantity was asked, no number given', ['premature-termination'], 'How many moons does Neptune have?', (t) => {
      t.tool('astro', 'search_web', { query: 'Neptune moons' }, { results: ['Neptune has many moons'] })
      t.tool('astro', 'verify_answer', { claim: 'Neptune has many moons' }, { verified: true })
      return t.end('Neptune has many moons.')
    }),
    fixture('near miss: the run answered the quantity', [], 'How many moons does Neptune have?', (t) => {
      t.tool('astro', 'search_web', { query: 'Neptune moons' }, { results: ['Neptune has 16 known moons'] })
      t.tool('astro', 'verify_answer', { claim: 'Neptune has 16 moons' }, { verified: true })
      return t.end('Neptune has 16 known moons.')
    }),

    // ── missing verification ──────────────────────────────────────────────────────────────
    fixture('missing verification: answers straight from one search', ['missing-verification'], 'What was the highest price paid for an apartment in Mission Bay in 2021?', (t) => {
      t.message('orchestrator', 'Please search for the highest apartment sale price in Mission Bay in 2021.', { to: 'websurfer' })
      t.tool('websurfer', 'search_web', { query: 'Mission Bay highest apartment price 2021' }, { snippet: '1800 Owens Street sold for $1.08 billion' })
      t.message('orchestrator', 'The request is satisfied: the highest price was $1.08 billion.')
      return t.end('$1.08 billion')
    }),
    fixture('missing verification: the coder reports done without running tests', ['missing-verification'], 'Rename the function getUser to fetchUser everywhere.', (t) => {
      t.tool('coder', 'edit_file', { path: 'src/users.ts', find: 'getUser', replace: 'fetchUser' }, { changed: 3 })
      t.message('coder', 'Task complete: getUser is now fetchUser in src/users.ts.')
      return t.end('Renamed getUser to fetchUser (3 places).')
    }),
    fixture('missing verification: a plan mentions checking, nobody checks', ['missing-verification'], 'Compute the total of invoice INV-2207.', (t) => {
      t.message('planner', 'Plan: read the invoice lines, add them up, and we should verify the total afterwards.')
      t.tool('accountant', 'read_invoice', { id: 'INV-2207' }, { lines: [120, 80, 42.5] })
      t.message('accountant', 'The final answer is 242.50.')
      return t.end('242.50')
    }),
    fixture('near miss: a reviewer confirms the total', [], 'Compute the total of invoice INV-2207.', (t) => {
      t.tool('accountant', 'read_invoice', { id: 'INV-2207' }, { lines: [120, 80, 42.5] })
      t.message('accountant', 'The total of INV-2207 is 242.50.')
      t.message('reviewer', 'I re-added the lines of INV-2207: 120 + 80 + 42.50 = 242.50, confirmed.')
      return t.end('242.50')
    }),
  ]
}

interface Pending {
  withExpect(kinds: DetectorKind[]): SyntheticTrace
}

function fixture(name: string, expect: DetectorKind[], task: string, build: (t: TraceBuilder) => DetectorTrace): SyntheticTrace & Pending {
  const trace = build(new TraceBuilder(task, `synthetic-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`))
  return { name, expect, trace, withExpect: (kinds) => ({ name, expect: kinds, trace }) }
}
