#!/usr/bin/perl
# thread.t - THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT and
# REFERENCES on the search corpus (a References chain, In-Reply-To, two
# replies to a missing parent kept under a dummy, a forward merged by
# subject), a search program restricting the set, and the errors.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::SearchCorpus;

skip_unless_built(qw(master imapd));

my ($n, $c) = Murder::SearchCorpus::setup();

my ($ok, @caps) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
like($caps[0] // '', qr/ THREAD=ORDEREDSUBJECT\b/, 'THREAD=ORDEREDSUBJECT advertised');
like($caps[0] // '', qr/ THREAD=REFERENCES\b/, 'THREAD=REFERENCES advertised');

# thread - the THREAD response of $cmd
sub thread {
    my ($cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    like($ok // '', qr/^\S+ OK/, "$cmd: OK");
    my ($t) = grep { /^\* THREAD/ } @u;
    return $t // '';
}

is(thread('THREAD ORDEREDSUBJECT UTF-8 ALL'), '* THREAD (1 2)(6 (5)(4))(3)',
   'ORDEREDSUBJECT');
is(thread('THREAD REFERENCES UTF-8 ALL'), '* THREAD (1 2 3)((6)(5)(4))',
   'REFERENCES');
is(thread('THREAD REFERENCES US-ASCII SUBJECT lunch'), '* THREAD ((6)(5)(4))',
   'REFERENCES on a subset');
is(thread('THREAD REFERENCES UTF-8 NOT UID 1:*'), '* THREAD', 'empty result');
is(thread('THREAD ORDEREDSUBJECT UTF-8 OR SEEN ANSWERED'), '* THREAD (1 2)',
   'ORDEREDSUBJECT on a subset');

my (undef, $all) = Murder::SearchCorpus::search($c, 'UID SEARCH ALL');
my @u = split / /, $all;
is(thread('UID THREAD REFERENCES UTF-8 ALL'),
   "* THREAD ($u[0] $u[1] $u[2])(($u[5])($u[4])($u[3]))", 'UID THREAD answers UIDs');

for my $bad ([ 'THREAD BOGUS UTF-8 ALL', qr/BAD/ ],
             [ 'THREAD REFERENCES UTF-8', qr/BAD/ ],
             [ 'THREAD REFERENCES X-NO-SUCH ALL', qr/NO \[BADCHARSET/ ]) {
    my ($ok) = Murder::MsgIMAP::cmd($c, $bad->[0]);
    like($ok // '', qr/^\S+ $bad->[1]/, "$bad->[0]: refused");
}

done_testing();
