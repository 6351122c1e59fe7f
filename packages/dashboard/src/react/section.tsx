import { type ReactNode, useId } from 'react';

/** A section of the page: a card labelled by its heading, with controls beside the heading. */
export function Section({ title, aside, className, children }: { title: string; aside?: ReactNode; className?: string; children?: ReactNode }) {
  const headingId = useId();
  return (
    <section className={className ? `kw-section ${className}` : 'kw-section'} aria-labelledby={headingId}>
      <div className="kw-section-head">
        <h2 id={headingId} className="kw-section-title">
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}
