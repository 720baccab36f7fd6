#!/usr/bin/perl
# client_mutt.t - a real interactive client, mutt, against imapd over plain
# IMAP on loopback: mutt (on a pty from script(1), driven by pushed key
# functions) opens alice's INBOX, copies every message into a local mbox
# file, copies one into a server folder that mutt creates, flags one,
# deletes one and syncs (\Deleted + EXPUNGE).  The local file and the
# server are checked afterwards, and no mutt process may outlive its run.
# Skipped (with the reason) when mutt or script is not installed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;
use File::Path qw(make_path);

skip_unless_built(qw(master imapd));
# which - the full path of $prog in PATH, or undef
sub which {
    my ($prog) = @_;
    my ($d) = grep { -x "$_/$prog" } split(/:/, $ENV{PATH});
    return defined $d ? "$d/$prog" : undef;
}
my $mutt = which('mutt');
plan(skip_all => 'mutt not installed (apt-get install mutt)') unless $mutt;
my $script = which('script');
plan(skip_all => 'script(1) not installed (bsdutils)') unless $script;

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');
for my $i (1 .. 3) {
    like(Murder::MsgIMAP::append($c, 'INBOX',
             Murder::MsgIMAP::msg("From: bob\@example.com\nSubject: note $i\n\nbody $i\n")),
         qr/^\S+ OK/, "append $i");
}

my $dir = Murder::Instance::test_dir() . '/mutt';
make_path($dir);
my $url = sprintf('imap://alice@%s:%d/', $n->address, $n->port('imap'));
open(my $rc, '>', "$dir/muttrc") or die "muttrc: $!";
print $rc <<"EOF";
set folder="$url"
set spoolfile="${url}INBOX"
set imap_pass="$Murder::RawIMAP::USERS{alice}"
set imap_authenticators="login"
set ssl_starttls=no
set ssl_force_tls=no
set imap_check_subscribed=no
set imap_passive=yes
set header_cache=""
set message_cachedir=""
set mbox_type=mbox
set record=""
set confirmappend=no
set confirmcreate=no
set delete=yes
set move=no
set quit=yes
set mark_old=no
set wait_key=no
set sleep_time=0
set timeout=1
set beep=no
set sort=subject
EOF
close($rc);

# The keys mutt runs, in order: copy all to the local mbox, copy "note 1"
# to =Archive on the server, flag "note 3", delete "note 2", sync, quit.
# Each step acts on tagged messages, so none depends on the cursor.  The
# keys are pushed, so mutt runs them all before it reads the (empty) tty.
my $out = "$dir/out.mbox";
my @keys = (
    '<tag-pattern>~A<enter><tag-prefix><copy-message>' . $out . '<enter>',
    '<untag-pattern>~A<enter><tag-pattern>~s note.1<enter><tag-prefix><copy-message>=Archive<enter>',
    '<untag-pattern>~A<enter><tag-pattern>~s note.3<enter><tag-prefix><flag-message>',
    '<untag-pattern>~A<enter><delete-pattern>~s note.2<enter>',
    '<sync-mailbox><quit>',
);

# run_mutt - run mutt on a pty until it quits (bounded, stdin /dev/null);
# its wait status, 0 when it quit by itself
sub run_mutt {
    local $ENV{HOME} = $dir;
    local $ENV{TERM} = 'vt100';
    my $push = join('', @keys);
    $push =~ s/"/\\"/g;
    my $cmd = "'$mutt' -n -F '$dir/muttrc' -e 'push \"$push\"'";
    open(my $in, '<', '/dev/null') or die "/dev/null: $!";
    open(my $save, '<&', \*STDIN) or die "dup stdin: $!";
    open(STDIN, '<&', $in) or die "stdin: $!";
    my $pid = open(my $fh, '-|', 'timeout', '-k', '2', '15', $script, '-qfec', $cmd, '/dev/null');
    open(STDIN, '<&', $save) or die "restore stdin: $!";
    defined $pid or die "script: $!";
    my $screen = do { local $/; <$fh> };
    close($fh);
    my $rc = $?;
    diag("mutt wait status $rc; screen:\n" . ($screen =~ s/\e\[[0-9;?]*[A-Za-z]//gr)) if $rc;
    return $rc;
}

is(run_mutt(), 0, 'mutt ran and quit');

# leftover - pids of processes still running with our muttrc
sub leftover {
    my @p;
    for my $pid (map { m{/(\d+)$} } glob('/proc/[0-9]*')) {
        open(my $f, '<', "/proc/$pid/cmdline") or next;
        my $cl = do { local $/; <$f> } // '';
        push @p, $pid if $cl =~ /^[^\0]*mutt\0/ && index($cl, "$dir/muttrc") >= 0;
    }
    return @p;
}
my @left = leftover();
is_deeply(\@left, [], 'no mutt process left') or kill('KILL', @left);

# mbox_subjects - the Subject lines of the local mbox file, in order
sub mbox_subjects {
    open(my $fh, '<', $out) or return [];
    my (@s, $hdr);
    while (<$fh>) {
        if (/^From /) { $hdr = 1; next }
        $hdr = 0 if /^\r?$/;
        push @s, $1 if $hdr && /^Subject:\s*(.*?)\s*$/;
    }
    return \@s;
}
is_deeply([sort @{mbox_subjects()}], ['note 1', 'note 2', 'note 3'],
          'all three messages copied into the local mbox') or diag explain mbox_subjects();
my $body = '';
if (open(my $fh, '<', $out)) { local $/; $body = <$fh> // '' }
like($body, qr/^body 2\r?$/m, 'message bodies came down');

# server_state - { subject => FLAGS } of $mbox on the server
sub server_state {
    my ($mbox) = @_;
    my ($ok) = Murder::MsgIMAP::cmd($c, "SELECT $mbox");
    return undef unless ($ok // '') =~ /^\S+ OK/;
    my (undef, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    my %f;
    for (@u) {
        my ($fl) = /FLAGS \(([^)]*)\)/ or next;
        my ($s) = /Subject:\s*([^\r\n]*)/ or next;
        $f{$s} = $fl;
    }
    return \%f;
}
my $inbox = server_state('INBOX');
is_deeply([sort keys %{$inbox // {}}], ['note 1', 'note 3'], 'note 2 deleted and expunged')
    or diag explain $inbox;
like($inbox->{'note 3'} // '', qr/\\Flagged/, 'note 3 flagged on the server');
unlike($inbox->{'note 1'} // '', qr/\\Flagged|\\Deleted/, 'note 1 untouched');
my $arch = server_state('Archive');
is_deeply([sort keys %{$arch // {}}], ['note 1'], 'note 1 copied to the new server folder Archive')
    or diag explain $arch;
$n->stop;

done_testing;
