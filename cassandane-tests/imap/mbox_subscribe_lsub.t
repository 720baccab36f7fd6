#!/usr/bin/perl
# mbox_subscribe_lsub.t - SUBSCRIBE/UNSUBSCRIBE and LSUB: subscriptions
# persist across sessions, LSUB matches patterns (a '%' reaches a parent
# of subscribed names as \Noselect), a missing mailbox cannot be
# subscribed (allowallsubscribe off), unsubscribing twice is NO, and a
# RENAME carries the subscription along.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
my $c = Murder::RawIMAP->connect($n);
$c->login('alice', 'alice-pw');
$c->cmd($_) for ('CREATE Lists', 'CREATE Lists/perl', 'CREATE Lists/c', 'CREATE Misc');
like(scalar $c->cmd('SUBSCRIBE Lists/perl'), qr/OK/, 'SUBSCRIBE');
like(scalar $c->cmd('SUBSCRIBE Misc'), qr/OK/, 'SUBSCRIBE Misc');
like(scalar $c->cmd('SUBSCRIBE Nosuch'), qr/NO \[NONEXISTENT\]/, 'missing mailbox');
my ($ok, @u) = $c->cmd('LSUB "" "*"');
is_deeply(\@u, ['* LSUB () "/" "Lists/perl"', '* LSUB () "/" "Misc"'], 'LSUB *');
($ok, @u) = $c->cmd('LSUB "" "%"');
is_deeply(\@u, ['* LSUB (\Noselect) "/" "Lists"', '* LSUB () "/" "Misc"'],
          'LSUB %: the parent as \Noselect');
my $d = Murder::RawIMAP->connect($n);
$d->login('alice', 'alice-pw');
($ok, @u) = $d->cmd('LSUB "" "*"');
is(scalar @u, 2, 'persisted for another session');
like(scalar $c->cmd('UNSUBSCRIBE Misc'), qr/OK/, 'UNSUBSCRIBE');
like(scalar $c->cmd('UNSUBSCRIBE Misc'), qr/NO/, 'UNSUBSCRIBE twice');
like(scalar $c->cmd('RENAME Lists Groups'), qr/OK/, 'RENAME');
($ok, @u) = $c->cmd('LSUB "" "*"');
is_deeply(\@u, ['* LSUB () "/" "Groups/perl"'], 'subscription followed the rename');
$n->stop;
done_testing;
