// @ts-check
// Cards as an EHR shows them (https://cds-hooks.hl7.org/2.0/#card-attributes): critical first, an indicator in
// colour and in words, the detail as Markdown without HTML, the source, the suggestions and Dismiss with the
// card's override reasons. Accepting carries out the actions against the FHIR server and sends feedback.

import { describeFailure, fhir } from './api.js';
import { sendFeedback } from './cds-client.js';
import { el, uid } from './dom.js';
import { t } from './i18n.js';

const ORDER = { critical: 0, warning: 1, info: 2 };
const ICONS = { critical: '!', warning: '▲', info: 'i' };

let markdown;

/** markdown-it with raw HTML off; headings start below the card's own heading; links open in a new tab. */
function renderer() {
  if (markdown === undefined) {
    markdown = window.markdownit({ html: false, linkify: false });
    markdown.core.ruler.push('sandbox_headings', (state) => {
      for (const token of state.tokens) {
        // Table alignment would be an inline style attribute, which the page's CSP refuses: use a class.
        if ((token.type === 'th_open' || token.type === 'td_open') && token.attrGet('style')) {
          const align = /text-align:\s*(left|center|right)/.exec(token.attrGet('style') ?? '')?.[1];
          token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
          if (align) {
            token.attrJoin('class', `align-${align}`);
          }
        }
        if (token.type === 'heading_open' || token.type === 'heading_close') {
          token.tag = `h${Math.min(6, Math.max(5, Number(token.tag.slice(1)) + 2))}`;
        }
      }
    });
    markdown.renderer.rules.link_close = () =>
      `<span class="visually-hidden"> ${markdown.utils.escapeHtml(t('newTab'))}</span></a>`;
    markdown.renderer.rules.link_open = (tokens, index, options, _env, self) => {
      tokens[index].attrSet('target', '_blank');
      tokens[index].attrSet('rel', 'noopener noreferrer');
      return self.renderToken(tokens, index, options);
    };
    // An image would be fetched from another origin (blocked by the page's CSP): show its text and address instead.
    markdown.renderer.rules.image = (tokens, index, _options, _env, self) => {
      const token = tokens[index];
      const src = markdown.utils.escapeHtml(token.attrGet('src') ?? '');
      const alt = markdown.utils.escapeHtml(self.renderInlineAsText(token.children ?? [], _options, _env));
      const hint = markdown.utils.escapeHtml(t('newTab'));
      return `<a href="${src}" target="_blank" rel="noopener noreferrer">${alt || src}<span class="visually-hidden"> ${hint}</span></a>`;
    };
  }
  return markdown;
}

/** @param {any[]} cards */
export function sortCards(cards) {
  return cards
    .map((card, index) => ({ card, index }))
    .sort((a, b) => (ORDER[a.card.indicator] ?? 3) - (ORDER[b.card.indicator] ?? 3) || a.index - b.index)
    .map((entry) => entry.card);
}

/**
 * @typedef {{ serviceId: string, lang: string, draftOrders: Map<string, { stored: boolean }>,
 *   report: (message: string) => void, log: (exchange: import('./api.js').Exchange) => void }} CardContext
 */

/**
 * @param {HTMLElement} container
 * @param {any[]} cards
 * @param {CardContext} context
 */
export function renderCards(container, cards, context) {
  container.replaceChildren();
  if (cards.length === 0) {
    container.append(el('p', { class: 'empty', text: t('noCards') }));
    return;
  }
  const list = el('ol', { class: 'card-list' });
  for (const card of sortCards(cards)) {
    list.append(el('li', {}, renderCard(card, context)));
  }
  container.append(list);
}

function renderCard(card, context) {
  const indicator = ORDER[card.indicator] === undefined ? 'info' : card.indicator;
  const headingId = uid('card');
  const article = el('article', {
    class: `card card--${indicator}`,
    'aria-labelledby': headingId,
    'data-indicator': indicator,
  });
  article.append(
    el(
      'h4',
      { class: 'card__summary', id: headingId },
      el(
        'span',
        { class: `badge badge--${indicator}` },
        el('span', { class: 'badge__icon', 'aria-hidden': 'true', text: ICONS[indicator] }),
        t(`indicator.${indicator}`),
        el('span', { class: 'visually-hidden', text: ':' })
      ),
      el('span', { class: 'card__summary-text', text: card.summary ?? '' })
    )
  );
  if (typeof card.detail === 'string' && card.detail.length > 0) {
    const detail = el('div', { class: 'card__detail markdown' });
    if (typeof window.markdownit === 'function') {
      // markdown-it with html: false escapes any HTML in the text, so the detail cannot inject markup.
      detail.innerHTML = renderer().render(card.detail);
    } else {
      // Without the renderer (its script did not load) the Markdown is shown as text, never as HTML.
      detail.append(el('p', { class: 'markdown-source', text: card.detail }));
    }
    article.append(detail);
  }
  if (card.source?.label) {
    article.append(
      el(
        'p',
        { class: 'card__source' },
        `${t('source')}: `,
        card.source.url ? externalLink(card.source.url, card.source.label) : card.source.label
      )
    );
  }
  if (Array.isArray(card.links) && card.links.length > 0) {
    article.append(
      el(
        'ul',
        { class: 'card__links', 'aria-label': t('links') },
        ...card.links.map((link) =>
          el(
            'li',
            {},
            link.type === 'smart'
              ? el('span', {}, `${link.label} `, el('span', { class: 'hint', text: t('smartLinkDisabled') }))
              : externalLink(link.url, link.label)
          )
        )
      )
    );
  }

  const controls = el('div', { class: 'card__controls' });
  const outcome = el('p', { class: 'card__outcome', tabindex: '-1', hidden: true });
  const finish = (text) => {
    controls.remove();
    article.classList.add('card--done');
    outcome.textContent = text;
    outcome.hidden = false;
    outcome.focus();
  };

  const suggestions = Array.isArray(card.suggestions) ? card.suggestions : [];
  let dismiss;
  if (suggestions.length > 0) {
    const group = el('div', { class: 'card__suggestions', role: 'group', 'aria-label': t('suggestions') });
    let open = suggestions.length;
    for (const suggestion of suggestions) {
      const descriptionId = uid('suggestion');
      const descriptions = (suggestion.actions ?? []).map((action) => action.description).filter(Boolean);
      const button = el(
        'button',
        {
          type: 'button',
          class: `button ${suggestion.isRecommended ? 'button--primary' : 'button--secondary'}`,
          'aria-describedby': descriptions.length > 0 ? descriptionId : undefined,
          'data-suggestion': suggestion.uuid ?? '',
        },
        suggestion.label ?? '?',
        suggestion.isRecommended ? el('span', { class: 'tag', text: t('recommended') }) : null
      );
      const wrapper = el(
        'div',
        { class: 'suggestion' },
        button,
        descriptions.length > 0
          ? el('p', { class: 'hint', id: descriptionId }, `${t('actionsOf')} ${descriptions.join('; ')}`)
          : null
      );
      const setDisabled = (disabled) => {
        for (const other of group.querySelectorAll('button')) {
          if (disabled) {
            other.setAttribute('aria-disabled', 'true');
          } else {
            other.removeAttribute('aria-disabled');
          }
        }
      };
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') === 'true') {
          return;
        }
        setDisabled(true);
        void acceptSuggestion(card, suggestion, context).then((message) => {
          if (message === undefined) {
            setDisabled(false);
            return;
          }
          const text = `${t('cardAccepted', { label: suggestion.label ?? '' })} — ${message}`;
          open -= 1;
          if (card.selectionBehavior === 'any' && open > 0) {
            // "any": the other suggestions can still be taken; this one is done, and the card is no longer dismissed.
            const done = el('p', { class: 'suggestion__done', tabindex: '-1', text });
            wrapper.replaceChildren(done);
            dismiss?.remove();
            setDisabled(false);
            done.focus();
          } else {
            finish(text);
          }
        });
      });
      group.append(wrapper);
    }
    controls.append(group);
  }

  if (card.uuid) {
    dismiss = dismissControls(card, context, finish);
    controls.append(dismiss);
  }
  article.append(controls, outcome);
  return article;
}

function externalLink(url, label) {
  return el(
    'a',
    { href: url, target: '_blank', rel: 'noopener noreferrer' },
    label ?? url,
    el('span', { class: 'visually-hidden', text: ` ${t('newTab')}` })
  );
}

/** Dismiss: a button that opens the override reasons (a select), an optional comment and a confirm button. */
function dismissControls(card, context, finish) {
  const panelId = uid('dismiss');
  const selectId = uid('reason');
  const commentId = uid('comment');
  const reasons = Array.isArray(card.overrideReasons) ? card.overrideReasons : [];
  const toggle = el('button', {
    type: 'button',
    class: 'button button--quiet',
    'aria-expanded': 'false',
    'aria-controls': panelId,
    text: t('dismiss'),
  });
  const select = el(
    'select',
    { id: selectId },
    el('option', { value: '', text: t('noReason') }),
    ...reasons.map((reason, index) => el('option', { value: String(index), text: reason.display ?? reason.code }))
  );
  if (reasons.length > 0) {
    select.value = '0';
  }
  const comment = el('input', { type: 'text', id: commentId, autocomplete: 'off' });
  const confirm = el('button', { type: 'button', class: 'button button--danger', text: t('confirmDismiss') });
  const cancel = el('button', { type: 'button', class: 'button button--quiet', text: t('cancel') });
  const panel = el(
    'div',
    { class: 'dismiss-panel', id: panelId, role: 'group', 'aria-label': t('dismissHeading'), hidden: true },
    el('div', { class: 'field' }, el('label', { for: selectId, text: t('overrideReason') }), select),
    el('div', { class: 'field' }, el('label', { for: commentId, text: t('overrideComment') }), comment),
    el('div', { class: 'button-row' }, confirm, cancel)
  );
  const close = () => {
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  };
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      select.focus();
    }
  });
  cancel.addEventListener('click', close);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  confirm.addEventListener('click', () => {
    if (confirm.getAttribute('aria-disabled') === 'true') {
      return;
    }
    confirm.setAttribute('aria-disabled', 'true');
    const reason = select.value === '' ? undefined : reasons[Number(select.value)];
    const userComment = comment.value.trim();
    void dismissCard(card, reason, userComment, context).then((message) => {
      confirm.removeAttribute('aria-disabled');
      const what = reason ? t('cardDismissed', { reason: reason.display ?? reason.code }) : t('cardDismissedNoReason');
      finish(`${what} — ${message}`);
    });
  });
  return el('div', { class: 'card__dismiss' }, toggle, panel);
}

function referenceOf(action) {
  const id = Array.isArray(action.resourceId) ? action.resourceId[0] : action.resourceId;
  if (typeof id === 'string' && id.length > 0) {
    return id.replace(/^.*\/fhir\//, '');
  }
  const resource = action.resource;
  return resource?.resourceType && resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
}

/** Carries out one action against /fhir; returns the words for the status line or throws. */
async function performAction(action, context) {
  if (action.type === 'create') {
    const { id: _ignored, meta: _meta, ...resource } = action.resource ?? {};
    const exchange = await fhir('POST', encodeURIComponent(resource.resourceType ?? ''), resource);
    context.log(exchange);
    if (!exchange.ok) {
      throw new Error(`POST /fhir/${resource.resourceType}: ${describeFailure(exchange)}`);
    }
    const type = exchange.body?.resourceType ?? resource.resourceType;
    return t('statusCreated', { type, ref: `${type}/${exchange.body?.id ?? '?'}` });
  }
  const reference = referenceOf(action);
  if (!reference) {
    throw new Error(`${action.type}: no resourceId`);
  }
  if (action.type === 'delete') {
    const draft = context.draftOrders.get(reference);
    if (draft && !draft.stored) {
      // The EHR's draft order lives only in this page: discarding it is the whole deletion.
      context.draftOrders.delete(reference);
      return t('statusDraftDiscarded', { ref: reference });
    }
    const exchange = await fhir('DELETE', reference);
    context.log(exchange);
    if (!exchange.ok) {
      throw new Error(`DELETE /fhir/${reference}: ${describeFailure(exchange)}`);
    }
    context.draftOrders.delete(reference);
    return t('statusDeleted', { ref: reference });
  }
  if (action.type === 'update') {
    const exchange = await fhir('PUT', reference, action.resource);
    context.log(exchange);
    if (!exchange.ok) {
      throw new Error(`PUT /fhir/${reference}: ${describeFailure(exchange)}`);
    }
    return t('statusUpdated', { type: reference.split('/')[0], ref: reference });
  }
  throw new Error(`unknown action type ${String(action.type)}`);
}

/** Deletes first, then creates, then updates (CDS Hooks 2.0: as in a FHIR transaction). */
function orderedActions(actions) {
  const rank = { delete: 0, create: 1, update: 2 };
  return [...actions].sort((a, b) => (rank[a.type] ?? 3) - (rank[b.type] ?? 3));
}

/**
 * Creates and updates that refer to each other (`urn:uuid:<id>`, e.g. referral, Goals and CarePlan) go to the
 * FHIR server as one transaction, so the server resolves the references to the ids it assigns.
 */
async function performTransaction(actions, context) {
  const entry = actions.map((action) => {
    const { id, meta: _meta, ...resource } = action.resource ?? {};
    return action.type === 'create'
      ? { fullUrl: `urn:uuid:${id}`, resource, request: { method: 'POST', url: resource.resourceType } }
      : { resource: action.resource, request: { method: 'PUT', url: referenceOf(action) } };
  });
  const exchange = await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
  context.log(exchange);
  if (!exchange.ok) {
    throw new Error(`POST /fhir (transaction): ${describeFailure(exchange)}`);
  }
  return (exchange.body?.entry ?? []).map((answer, index) => {
    const ref = String(answer.response?.location ?? '')
      .replace(/^.*\/fhir\//, '')
      .split('/_history')[0];
    const type = ref.split('/')[0];
    return t(actions[index]?.type === 'create' ? 'statusCreated' : 'statusUpdated', { type, ref });
  });
}

const linked = (actions) =>
  actions.length > 1 &&
  actions.every((action) => action.type !== 'delete') &&
  JSON.stringify(actions).includes('urn:uuid:');

async function acceptSuggestion(card, suggestion, context) {
  const messages = [];
  try {
    const actions = orderedActions(suggestion.actions ?? []);
    if (linked(actions)) {
      messages.push(...(await performTransaction(actions, context)));
    } else {
      for (const action of actions) {
        messages.push(await performAction(action, context));
      }
    }
  } catch (err) {
    context.report(
      [...messages, t('statusActionFailed', { message: err instanceof Error ? err.message : String(err) })].join('; ')
    );
    return undefined;
  }
  if (messages.length === 0) {
    messages.push(t('statusAccepted', { label: suggestion.label ?? '' }));
  }
  if (card.uuid && suggestion.uuid) {
    messages.push(
      await feedback(context, {
        card: card.uuid,
        outcome: 'accepted',
        acceptedSuggestions: [{ id: suggestion.uuid }],
        outcomeTimestamp: new Date().toISOString(),
      })
    );
  } else {
    messages.push(t('statusNoFeedback'));
  }
  const message = messages.join('; ');
  context.report(message);
  return message;
}

async function dismissCard(card, reason, userComment, context) {
  const overrideReason = {
    ...(reason
      ? { reason: { system: reason.system, code: reason.code, ...(reason.display ? { display: reason.display } : {}) } }
      : {}),
    ...(userComment ? { userComment } : {}),
  };
  const message = await feedback(context, {
    card: card.uuid,
    outcome: 'overridden',
    ...(Object.keys(overrideReason).length > 0 ? { overrideReason } : {}),
    outcomeTimestamp: new Date().toISOString(),
  });
  context.report(`${t('statusDismissed')}; ${message}`);
  return message;
}

async function feedback(context, item) {
  try {
    const exchange = await sendFeedback(context.serviceId, item, context.lang);
    context.log(exchange);
    return exchange.ok ? t('statusFeedbackSent') : t('statusFeedbackFailed', { status: describeFailure(exchange) });
  } catch (err) {
    return t('statusFeedbackFailed', { status: err instanceof Error ? err.message : String(err) });
  }
}
